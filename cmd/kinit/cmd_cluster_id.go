package main

import (
	"fmt"

	"github.com/kinit/kinit/roles"
)

func init() {
	register("cluster-id", command{
		summary: "print a fresh KRaft cluster id (for KINIT_CLUSTER_ID / CLUSTER_ID)",
		run:     cmdClusterID,
	})
}

func cmdClusterID(args []string) int {
	if len(args) > 0 {
		return usageError("cluster-id takes no arguments")
	}
	fmt.Println(roles.NewClusterID())
	return exitOK
}
