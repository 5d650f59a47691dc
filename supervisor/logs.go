package supervisor

// Logs returns the newest n lines (all kept, when n < 0) of one service's
// ring, or of every service merged in the order they came (service "").
// An unknown service is ErrUnknownService. It never waits for the loop.
func (s *Supervisor) Logs(service string, n int) ([]LogLine, error) {
	if service != "" && !s.out.rings.known(service) {
		return nil, ErrUnknownService
	}
	return s.out.rings.snapshot(service, n), nil
}

// FollowLogs is Logs and then every new line as it comes, through the
// returned follower (Close it when done). Once Run has returned the
// follower ends after the lines it holds.
func (s *Supervisor) FollowLogs(service string, n int) ([]LogLine, *LogFollow, error) {
	if service != "" && !s.out.rings.known(service) {
		return nil, nil, ErrUnknownService
	}
	lines, f := s.out.rings.follow(service, n)
	return lines, f, nil
}
