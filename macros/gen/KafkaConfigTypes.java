// Prints the type and value rule of every broker property of the Kafka on the
// class path, as read from KafkaConfig.configDef(), for macros/data/kafka.types.
// Run with the Kafka jars (Java 11+ source launch):
//   java -cp '.cache/kafka-3.9.2/share/java/kafka/*' macros/gen/KafkaConfigTypes.java
// TestKafkaTypesFromJars runs it and compares its output with the committed table.
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

public class KafkaConfigTypes {
  public static void main(String[] args) throws Exception {
    Class<?> kafkaConfig = Class.forName("kafka.server.KafkaConfig");
    Object def = kafkaConfig.getMethod("configDef").invoke(null);
    @SuppressWarnings("unchecked")
    Map<String, Object> keys = (Map<String, Object>) def.getClass().getMethod("configKeys").invoke(def);
    String version = (String) Class.forName("org.apache.kafka.common.utils.AppInfoParser").getMethod("getVersion").invoke(null);
    System.out.println("# Generated from Kafka " + version + " kafka.server.KafkaConfig.configDef() by");
    System.out.println("# macros/gen/KafkaConfigTypes.java; do not edit (see macros/data/README.md).");
    System.out.println("# key TYPE [min=N] [max=N] [in=a,b] [in-nocase=a,b] (sets sorted)");
    for (Map.Entry<String, Object> e : new TreeMap<>(keys).entrySet()) {
      Object key = e.getValue();
      Object type = key.getClass().getField("type").get(key);
      List<String> rules = new ArrayList<>();
      describe(key.getClass().getField("validator").get(key), rules);
      StringBuilder line = new StringBuilder(e.getKey()).append(' ').append(type);
      for (String r : rules) line.append(' ').append(r);
      System.out.println(line);
    }
  }

  // Only the validators kinit can check without Java; others are left to the broker.
  static void describe(Object v, List<String> out) throws Exception {
    if (v == null) return;
    switch (v.getClass().getSimpleName()) {
      case "Range":
        Object min = field(v, "min"), max = field(v, "max");
        if (min != null) out.add("min=" + min);
        if (max != null) out.add("max=" + max);
        break;
      case "ValidString":
        out.add("in=" + String.join(",", new java.util.TreeSet<>(strings(field(v, "validStrings")))));
        break;
      case "CaseInsensitiveValidString":
        out.add("in-nocase=" + String.join(",", new java.util.TreeSet<>(strings(field(v, "validStrings")))));
        break;
      case "ValidList":
        describe(field(v, "validString"), out);
        break;
      case "CompositeValidator":
        for (Object inner : (Collection<?>) field(v, "validators")) describe(inner, out);
        break;
      default:
        break;
    }
  }

  static Object field(Object o, String name) throws Exception {
    Field f = o.getClass().getDeclaredField(name);
    f.setAccessible(true);
    return f.get(o);
  }

  static List<String> strings(Object c) {
    List<String> out = new ArrayList<>();
    for (Object s : (Collection<?>) c) out.add(String.valueOf(s));
    return out;
  }
}
