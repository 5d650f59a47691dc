package roles

// The raw* types mirror kinit.toml as written. Every key the file may hold is
// a field here, so MetaData.Undecoded lists exactly the unknown keys.
type rawFile struct {
	Cluster   rawCluster            `toml:"cluster"`
	Vars      map[string]string     `toml:"vars"`
	Macros    map[string]string     `toml:"macros"`
	Identity  rawIdentity           `toml:"identity"`
	Resources rawResources          `toml:"resources"`
	Flavors   map[string]rawFlavor  `toml:"flavors"`
	Defaults  rawDefaults           `toml:"defaults"`
	Roles     map[string]rawRole    `toml:"roles"`
	Services  map[string]rawService `toml:"services"`
	Configs   map[string]rawConfig  `toml:"configs"`
	Autogen   []rawAutogen          `toml:"autogen"`
}

type rawCluster struct {
	Name            *string `toml:"name"`
	ZookeeperChroot string  `toml:"zookeeper_chroot"`
	NodesFile       string  `toml:"nodes_file"`
	TenantsFile     string  `toml:"tenants_file"`
}

type rawIdentity struct {
	Ordinal       *string `toml:"ordinal"`
	OrdinalOffset *int    `toml:"ordinal_offset"`
	IDFile        *string `toml:"id_file"`
}

type rawResources struct {
	HeapRatio *float64 `toml:"heap_ratio"`
	Flavor    string   `toml:"flavor"`
}

type rawFlavor struct {
	Memory flex     `toml:"memory"`
	CPUs   *float64 `toml:"cpus"`
}

type rawDefaults struct {
	WaitTimeout flex       `toml:"wait_timeout"`
	Grace       flex       `toml:"grace"`
	StopSignal  string     `toml:"stop_signal"`
	Restart     rawRestart `toml:"restart"`
	Ready       rawTiming  `toml:"ready"`
}

type rawTiming struct {
	Interval         flex   `toml:"interval"`
	Timeout          flex   `toml:"timeout"`
	StartTimeout     flex   `toml:"start_timeout"`
	CheckInterval    flex   `toml:"check_interval"`
	FailureThreshold *int   `toml:"failure_threshold"`
	OnUnhealthy      string `toml:"on_unhealthy"`
}

type rawRole struct {
	Cardinality   string `toml:"cardinality"`
	Description   string `toml:"description"`
	OrdinalOffset *int   `toml:"ordinal_offset"`
}

type rawConfig struct {
	Description  string              `toml:"description"`
	Roles        map[string][]string `toml:"roles"`
	Flavor       string              `toml:"flavor"`
	MemoryShares map[string]flex     `toml:"memory_shares"`
	// Per-role ordinal offsets for this config only: a KRaft config with
	// dedicated controllers gives its brokers ids after the controllers'.
	OrdinalOffsets map[string]int `toml:"ordinal_offsets"`
}

type rawAutogen struct {
	Replace string `toml:"replace"`
	Pattern string `toml:"pattern"`
	Macro   string `toml:"macro"`
}

type rawService struct {
	Name         string             `toml:"name"`
	Kind         string             `toml:"kind"`
	Port         int                `toml:"port"`
	Ports        map[string]int     `toml:"ports"`
	Command      []string           `toml:"command"`
	Dir          string             `toml:"dir"`
	User         string             `toml:"user"`
	Group        string             `toml:"group"`
	Capabilities []string           `toml:"capabilities"`
	Env          map[string]string  `toml:"env"`
	EnvPrefix    *string            `toml:"env_prefix"`
	PassEnv      []string           `toml:"pass_env"`
	PropPrefix   string             `toml:"property_prefix"`
	KnownKeys    string             `toml:"known_keys"`
	Wait         []string           `toml:"wait"`
	Waits        map[string]rawWait `toml:"waits"`
	Ready        rawProbe           `toml:"ready"`
	Restart      rawRestart         `toml:"restart"`
	StopSignal   string             `toml:"stop_signal"`
	ForwardSigs  []string           `toml:"forward_signals"`
	Grace        flex               `toml:"grace"`
	Required     bool               `toml:"required"`
	RestartWith  []string           `toml:"restart_with"`
	OneShot      bool               `toml:"oneshot"`
	Creates      []string           `toml:"creates"`
	SecuredOnly  bool               `toml:"secured_only"`
	MemoryShare  flex               `toml:"memory_share"`
	HeapRatio    *float64           `toml:"heap_ratio"`
	HeapMin      flex               `toml:"heap_min"`
	HeapMax      flex               `toml:"heap_max"`
	DataDir      string             `toml:"data_dir"`
	IDCheck      []rawIDCheck       `toml:"id_check"`
	Templates    []rawTemplate      `toml:"templates"`
}

type rawWait struct {
	Timeout  flex `toml:"timeout"`
	Min      flex `toml:"min"`
	Optional bool `toml:"optional"`
}

type rawProbe struct {
	Kind      string   `toml:"kind"`
	Address   string   `toml:"address"`
	URL       string   `toml:"url"`
	URLs      []string `toml:"urls"`
	Command   []string `toml:"command"`
	ZKConnect string   `toml:"zk_connect"`
	BrokerID  string   `toml:"broker_id"`
	Mode      string   `toml:"mode"`
	Trigger   string   `toml:"trigger"`
	Notify    bool     `toml:"notify"`
	rawTiming
}

type rawRestart struct {
	Policy     string `toml:"policy"`
	BackoffMin flex   `toml:"backoff_min"`
	BackoffMax flex   `toml:"backoff_max"`
	ResetAfter flex   `toml:"reset_after"`
	Budget     *int   `toml:"budget"`
}

type rawIDCheck struct {
	File string `toml:"file"`
	Key  string `toml:"key"`
}

type rawTemplate struct {
	Src        string `toml:"src"`
	Dst        string `toml:"dst"`
	Owner      string `toml:"owner"`
	Group      string `toml:"group"`
	Mode       flex   `toml:"mode"`
	Properties bool   `toml:"properties"`
}
