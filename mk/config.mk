# Config, node resolution and rendering (docs/config.md): a short run of each
# fuzz target of roles/, macros/ and internal/javaprops (the properties reader
# and writer that macros, roles and the stand-ins share).
fuzz::
	$(GO) test -run '^$$' -fuzz '^FuzzLines$$' -fuzztime 10s ./internal/javaprops/
	$(GO) test -run '^$$' -fuzz '^FuzzEscape$$' -fuzztime 10s ./internal/javaprops/
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime 10s ./roles/
	$(GO) test -run '^$$' -fuzz '^FuzzParseNodes$$' -fuzztime 10s ./roles/
	$(GO) test -run '^$$' -fuzz '^FuzzRenderTemplate$$' -fuzztime 10s ./macros/
	$(GO) test -run '^$$' -fuzz '^FuzzMapEnv$$' -fuzztime 10s ./macros/

# Regenerate the golden trees after an intended change to the shipped config
# or templates; review the diff before committing.
.PHONY: golden
golden:
	$(GO) test ./macros/ -run '^TestGolden$$' -update
