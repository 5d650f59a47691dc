package node

import "testing"

// The client of a broker's spare check must be one franz-go accepts: when
// it was not, the check failed before asking anything and no broker ever
// rolled (found by make bench-roll).
func TestSpareClientIsAccepted(t *testing.T) {
	cl, err := spareClient([]string{"127.0.0.1:9092"}, nil)
	if err != nil {
		t.Fatalf("spareClient: %v", err)
	}
	cl.Close()
}
