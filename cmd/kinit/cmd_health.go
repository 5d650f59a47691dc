package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/kinit/kinit/supervisor/control/client"
)

func init() {
	register("health", command{
		summary: "exit 0 iff every required service is ready now (readiness); --live: iff kinit runs and nothing failed for good (liveness)",
		run:     cmdHealth,
	})
}

// cmdHealth answers the two questions a runtime asks: may traffic come
// here (readiness: every required service ready now, checks passing) and
// should this container be replaced (liveness: kinit answers and no
// service failed for good). A node that is starting, or whose broker is
// unhealthy, is live but not ready: restarting it would not help.
func cmdHealth(args []string) int {
	live := false
	for _, a := range args {
		switch a {
		case "--live", "-live":
			live = true
		default:
			return usageError("health takes only --live")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h, err := client.New("").Health(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kinit: "+err.Error())
		return exitFailed
	}
	if live {
		if !h.Live {
			fmt.Printf("not live: failed for good: %s\n", strings.Join(h.Failed, ", "))
			return exitFailed
		}
		fmt.Println("live")
		return exitOK
	}
	if !h.Ready {
		if len(h.NotReady) == 0 {
			fmt.Printf("not ready: kinit is %s\n", h.Phase)
		} else {
			fmt.Printf("not ready: %s\n", strings.Join(h.NotReady, ", "))
		}
		return exitFailed
	}
	fmt.Println("ready")
	return exitOK
}
