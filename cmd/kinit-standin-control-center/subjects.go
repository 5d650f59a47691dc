package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// maxSubjectsBody bounds the registry's subject list.
const maxSubjectsBody = 4 << 20

// subjectPaths are where a registry serves the Confluent API's subject
// list: Confluent's at the root, Apicurio's under its ccompat prefix
// (kinit's schema-registry service runs either; docs/kafka.md).
var subjectPaths = []string{"/subjects", "/apis/ccompat/v7/subjects"}

// sampleSubjects lists the registry's subjects. base is the configured
// URL; of a list (several registries) the first is asked.
func sampleSubjects(ctx context.Context, cl *http.Client, base string) *RegistryView {
	base, _, _ = strings.Cut(base, ",")
	base = strings.TrimRight(base, "/")
	rv := &RegistryView{URL: base, Subjects: []string{}}
	found, err := false, error(nil)
	for _, p := range subjectPaths {
		if found, err = getSubjects(ctx, cl, base+p, &rv.Subjects); found || err != nil {
			break
		}
	}
	if !found && err == nil {
		err = fmt.Errorf("no Confluent subjects API at %s (tried %s)", base, strings.Join(subjectPaths, ", "))
	}
	if err != nil {
		rv.Error = err.Error()
	}
	sort.Strings(rv.Subjects)
	return rv
}

// getSubjects GETs url into subjects; found is false on a 404 (try the
// next path).
func getSubjects(ctx context.Context, cl *http.Client, url string, subjects *[]string) (found bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "application/vnd.schemaregistry.v1+json, application/json")
	resp, err := cl.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return false, nil
	case resp.StatusCode != http.StatusOK:
		return true, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxSubjectsBody)).Decode(subjects); err != nil {
		return true, fmt.Errorf("GET %s: %v", url, err)
	}
	return true, nil
}
