package nethost

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
)

// The test binary doubles as the program run on the hosts (os/exec's
// helper-process pattern): NETHOST_HELPER selects what it does.
func TestMain(m *testing.M) {
	if mode := os.Getenv("NETHOST_HELPER"); mode != "" {
		os.Exit(helper(mode, os.Args[1:]))
	}
	os.Exit(m.Run())
}

func helper(mode string, args []string) int {
	switch mode {
	case "serve":
		// serve PORT: answer each connection with "<hostname> <pid>\n";
		// exit 7 on SIGTERM.
		ln, err := net.Listen("tcp", ":"+args[0])
		if err != nil {
			fmt.Println(err)
			return 1
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				name, _ := os.Hostname()
				fmt.Fprintf(c, "%s %d\n", name, os.Getpid())
				c.Close()
			}
		}()
		fmt.Println("serving")
		<-sig
		fmt.Println("got SIGTERM")
		return 7
	case "dial":
		// dial HOST:PORT: print the server's line.
		c, err := net.Dial("tcp", args[0])
		if err != nil {
			fmt.Println(err)
			return 1
		}
		defer c.Close()
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			fmt.Println(err)
			return 1
		}
		fmt.Print(strings.TrimSpace(line), "\n")
		return 0
	}
	fmt.Println("unknown helper mode", mode)
	return 2
}
