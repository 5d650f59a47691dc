# kcat's librdkafka for SCRAM against Kafka 4 (scripts/fetch-librdkafka.sh):
# the tests' and the secure demo's independent client.
.PHONY: librdkafka
librdkafka:
	scripts/fetch-librdkafka.sh >/dev/null

test-deps:: librdkafka
