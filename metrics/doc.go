// Package metrics samples the services kinit supervises and ships metrics and
// lifecycle events to Elasticsearch or OpenSearch (product.go).
//
// Three parts, usable on their own:
//
//   - Sampler walks /proc once per pass and sums each service's whole process
//     tree (cpu, rss, threads, open fds).
//   - Shipper holds documents in a bounded ring (drop oldest) and sends them
//     with the bulk API from one goroutine. Enqueue takes a mutex for O(1)
//     work and never waits on the network, so supervision never waits on
//     Elasticsearch; every network wait happens in the shipper goroutine.
//   - Collector ties them together: every interval it asks a function for the
//     current services, samples them and the container's cgroup, and
//     enqueues one document per service plus one for the container;
//     lifecycle events go through Collector.Event.
//
// Nothing here imports the supervisor: the supervisor hands in a function
// that returns []Service and calls Event. With no Elasticsearch URL
// configured New returns a nil *Collector, whose methods are no-ops, so no
// goroutine or timer exists when metrics are off.
package metrics
