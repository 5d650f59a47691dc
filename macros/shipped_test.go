package macros

// shipped is the config the image ships: the tests render its roles.
const shipped = "../rootfs/etc/kinit/kinit.toml"

// goldenLimits are fixed so the sizing a test sees never depends on the
// machine running it.
var goldenLimits = Limits{MemoryBytes: 4 << 30, CPUs: 2, Source: "test"}
