package supervisor

import "github.com/kinit/kinit/internal/testkit"

// GroupSignals records the process groups kinit signals by number (kill
// with a negative pid) until restore, as "-pid SIGNAME".
func GroupSignals() (calls func() []string, restore func()) {
	return testkit.RecordGroupSignals(&killNumber)
}
