# Every line below breaks one rule the checks enforce.
FROM golang:1.26 AS build
RUN go build -o /out/kinit ./cmd/kinit && go build -o /out/other ./cmd/no-such-command
FROM centos:7
COPY no-such-dir/ /opt/
COPY rootfs/ /
COPY --from=build /out/kinit /usr/local/bin/kinit
COPY --from=build /out/never-built /usr/bin/
COPY --from=nostage /x /y
ENV KINIT_NOT_A_THING=1 \
    KINIT_ROLE=broker
VOLUME ["/var/lib/kafka", "/data/elsewhere"]
HEALTHCHECK CMD ["/bin/true"]
STOPSIGNAL SIGINT
ENTRYPOINT /usr/bin/kinit
