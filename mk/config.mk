# Config, node resolution and rendering (docs/config.md): a short run of each
# fuzz target of roles/, macros/ and internal/javaprops (the properties reader
# and writer that macros, roles and the Control Center stand-in share).
# Budgets are execution counts (Nx), not durations: Go 1.26's fuzz coordinator
# can report a spurious "context deadline exceeded" when a -fuzztime duration
# expires mid-exec on a loaded machine (golang/go#75804, fixed in Go 1.27).
# A count has no deadline to race. Sized to about 10 s each here.
fuzz::
	$(GO) test -run '^$$' -fuzz '^FuzzLines$$' -fuzztime 500000x ./internal/javaprops/
	$(GO) test -run '^$$' -fuzz '^FuzzEscape$$' -fuzztime 60000x ./internal/javaprops/
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime 10000x ./roles/
	$(GO) test -run '^$$' -fuzz '^FuzzParseNodes$$' -fuzztime 300000x ./roles/
	$(GO) test -run '^$$' -fuzz '^FuzzRenderTemplate$$' -fuzztime 300000x ./macros/
	$(GO) test -run '^$$' -fuzz '^FuzzMapEnv$$' -fuzztime 20000x ./macros/

# Regenerate the golden trees after an intended change to the shipped config
# or templates; review the diff before committing.
.PHONY: golden
golden:
	$(GO) test ./node/ -run '^TestGolden$$' -update
