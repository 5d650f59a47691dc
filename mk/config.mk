# Config, node resolution and rendering (docs/config.md): a short run of each
# fuzz target of roles/ and macros/ (their seed corpora live under testdata/).
fuzz::
	$(GO) test -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime 10s ./roles/
	$(GO) test -run '^$$' -fuzz '^FuzzParseNodes$$' -fuzztime 10s ./roles/
	$(GO) test -run '^$$' -fuzz '^FuzzRenderTemplate$$' -fuzztime 10s ./macros/
	$(GO) test -run '^$$' -fuzz '^FuzzMapEnv$$' -fuzztime 10s ./macros/

# Regenerate the golden trees after an intended change to the shipped config
# or templates; review the diff before committing.
.PHONY: golden
golden:
	$(GO) test ./macros/ -run '^TestGolden$$' -update
