# Apicurio Registry, the schema-registry service of the demo and the tests
# (docs/kafka.md): `make apicurio` unpacks it from Maven Central into
# .cache/apicurio-<version> (cached by a stamp) and checks that a Java 21+
# is there for it (scripts/find-java21.sh).
.PHONY: apicurio
apicurio:
	scripts/fetch-apicurio.sh >/dev/null
	scripts/find-java21.sh >/dev/null

test-deps:: apicurio
