package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/kinit/kinit/plan"
	"github.com/kinit/kinit/supervisor"
	"github.com/kinit/kinit/supervisor/control"
)

// Errors of Run, for the caller's exit code.
var (
	// ErrSocketTaken: another kinit took the control socket after this one
	// checked and rendered (two started at the same moment). The rendered
	// files are written; no service was started.
	ErrSocketTaken = errors.New("another kinit took the control socket meanwhile")
	// ErrPlanRejected: the supervisor refused the plan (a configuration
	// problem Compile did not catch).
	ErrPlanRejected = errors.New("the supervisor refused the plan")
)

// RunOptions are what Run needs besides the compiled node.
type RunOptions struct {
	Log     *slog.Logger
	Out     *supervisor.Stdout
	Format  string   // supervisor.LogText or LogJSON
	Changed []string // files the render changed, for the metrics' first event
	// OnEvent, when set, sees every lifecycle event after the metrics do;
	// it runs on the supervisor's loop and must not block.
	OnEvent func(*supervisor.Supervisor, supervisor.Event)
	// Signals is the subscription up took before anything could block;
	// Run hands it to the supervisor.
	Signals *supervisor.Signals
}

// Run supervises a compiled node until it has stopped: the supervisor as
// the owner of every process below kinit, the control socket, the signal
// handling, the metrics shipper and the reloader. It returns the
// supervisor's exit code (0 clean, 1 a required service failed or a process
// had to be killed); after a stop it returns by the supervisor's ExitBy, so
// a hanging Elasticsearch or a stdout nobody reads cannot hold it.
func Run(sp plan.Plan, np *Rendered, m *Metrics, o RunOptions) (int, error) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, s := range sp.Services {
		pruneCDS(lookupEnv(s.Env, cdsEnv))
	}

	var sup *supervisor.Supervisor
	onEvent := func(e supervisor.Event) {
		m.OnEvent(e)
		if o.OnEvent != nil {
			o.OnEvent(sup, e)
		}
	}
	sup, err := supervisor.New(sp, supervisor.Options{Logger: o.Log, Output: o.Out, LogFormat: o.Format, OnEvent: onEvent, StartEnv: cdsAtStart,
		OwnsProcess: true, SharedCgroup: strings.EqualFold(os.Getenv("KINIT_CGROUPS"), "off")})
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrPlanRejected, err)
	}
	m.Attach(sup)
	m.Rendered(o.Changed)
	addQuorumSection(sup, np)
	addTLSSection(sup, np)

	socket := control.SocketPath()
	srv, err := control.Start(socket, sup, o.Log)
	if err != nil {
		if errors.Is(err, control.ErrInUse) {
			return 0, fmt.Errorf("%w: %s", ErrSocketTaken, socket)
		}
		return 0, err
	}
	statusSrv, err := control.StartStatusFromEnv(sup, o.Log)
	if err != nil {
		_ = srv.Close()
		return 0, err
	}

	stopSignals := supervisor.HandleSignals(sup, o.Signals)
	defer stopSignals()
	metricsDone := m.Run(ctx)
	reloadDone := StartReloader(ctx, sup, np, sp, m, o.Log)
	usersDone := StartUsers(ctx, sup, np, o.Log)
	tenantsDone := StartTenants(ctx, sup, np, o.Log)
	code := sup.Run(ctx)
	cancel()
	// The rest comes out of the stop budget too: a client in the middle of
	// a request holds the socket's close, a stdout nobody reads the drain.
	end := sup.ExitBy()
	waitUntil(metricsDone, end)
	waitUntil(reloadDone, end)
	waitUntil(usersDone, end)
	waitUntil(tenantsDone, end)
	srvDone := make(chan struct{})
	go func() { _ = statusSrv.Close(); _ = srv.Close(); close(srvDone) }()
	waitUntil(srvDone, end)
	o.Out.Close(time.Until(end))
	return code, nil
}

// waitUntil waits for done, but not past end.
func waitUntil(done <-chan struct{}, end time.Time) {
	t := time.NewTimer(time.Until(end))
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}
