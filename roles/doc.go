// Package roles loads kinit.toml, validates it, and resolves which node this
// container is: its role, config id, node id, FQDN, the cluster members by
// role, and the services it runs in start order.
//
// The package is pure: it reads files (the config, the nodes file, identity
// files on the data volume) but starts no process and no goroutine, and it
// writes only through Node.PersistID, which `kinit up` calls after a
// successful render. Every problem is collected before returning, each with
// the file and line it comes from, so `kinit check` can print them all at once.
package roles
