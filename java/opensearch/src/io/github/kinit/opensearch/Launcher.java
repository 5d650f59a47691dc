package io.github.kinit.opensearch;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.Node;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.transport.Netty4Plugin;

/**
 * Starts one embedded OpenSearch node for kinit's tests:
 * {@code java -cp 'lib/*:classes' io.github.kinit.opensearch.Launcher HOST PORT DIR}.
 * It serves HTTP on HOST:PORT, keeps everything under DIR, prints
 * "kinit-opensearch: started" once the node is up, and stops the node on
 * SIGTERM (the JVM's shutdown hook). The tests run it in a host of its own
 * (test/nethost), whose PID namespace dies with the test process.
 */
public final class Launcher {
    /** Node's plugin-taking constructor is protected: classpath plugins are for embedding. */
    private static final class EmbeddedNode extends Node {
        EmbeddedNode(Settings settings) {
            super(InternalSettingsPreparer.prepareEnvironment(settings, java.util.Map.of(), null, () -> "kinit-opensearch"),
                List.of(Netty4Plugin.class), true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: Launcher HOST PORT DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[2]).toAbsolutePath();
        Settings settings = Settings.builder()
            .put("cluster.name", "kinit-test")
            .put("node.name", "kinit-test-node")
            .put("discovery.type", "single-node")
            .put(Environment.PATH_HOME_SETTING.getKey(), dir.toString())
            .put("path.data", dir.resolve("data").toString())
            .put("path.logs", dir.resolve("logs").toString())
            .put("network.host", args[0])
            .put("http.port", args[1])
            // A shared build disk is often above the 85/90% watermarks, which would
            // make new indices unassignable and writes fail for reasons no test is about.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();
        Node node = new EmbeddedNode(settings);
        node.start();
        System.out.println("kinit-opensearch: started");
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> close(node)));
        Thread.currentThread().join(); // the node's threads serve; main only waits for the end
    }

    private static void close(Node node) {
        try {
            node.close();
            node.awaitClose(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("kinit-opensearch: cannot close the node: " + e);
        }
    }
}
