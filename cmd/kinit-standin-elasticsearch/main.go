// Command kinit-standin-elasticsearch runs the Elasticsearch STAND-IN from
// standins/elasticsearch for the demo: an in-memory server that speaks the
// bulk and index-template APIs kinit uses. It is not Elasticsearch.
//
//	kinit-standin-elasticsearch -addr 127.0.0.1:9200
//	curl -s localhost:9200/_standin/docs            # what was shipped
//	curl -s -XPOST 'localhost:9200/_standin/fault?mode=hang'
package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	esstandin "github.com/kinit/kinit/standins/elasticsearch"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9200", "listen address")
	apiKey := flag.String("api-key", os.Getenv("STANDIN_ES_API_KEY"), "require this encoded API key")
	user := flag.String("user", "", "require basic auth with this user (password from STANDIN_ES_PASSWORD)")
	cert := flag.String("tls-cert", "", "serve HTTPS with this PEM certificate")
	key := flag.String("tls-key", "", "private key for -tls-cert")
	openSearch := flag.Bool("opensearch", false, "answer GET / as OpenSearch 2.19 and send no X-Elastic-Product")
	flag.Parse()

	opts := esstandin.Options{Addr: *addr, APIKey: *apiKey, Username: *user, Password: os.Getenv("STANDIN_ES_PASSWORD"),
		OpenSearch: *openSearch}
	if *cert != "" {
		pair, err := tls.LoadX509KeyPair(*cert, *key)
		if err != nil {
			fmt.Fprintf(os.Stderr, "kinit-standin-elasticsearch: cannot load TLS key pair: %v\n", err)
			os.Exit(1)
		}
		opts.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	s, err := esstandin.Start(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "kinit-standin-elasticsearch: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("elasticsearch stand-in listening on %s\n", s.URL())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	s.Close()
}
