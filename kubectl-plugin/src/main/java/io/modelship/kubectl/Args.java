package io.modelship.kubectl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The command line, parsed: a command, its operands and kubectl's usual flags.
 *
 * @param namespace null: the kubeconfig context's namespace
 * @param output "text" or "json"
 * @param timeout how long {@code --watch} runs; null: until interrupted
 */
public record Args(
    String command,
    List<String> operands,
    String namespace,
    boolean allNamespaces,
    String output,
    String kubeconfig,
    String context,
    boolean watch,
    Duration timeout,
    boolean help) {

  /** The commands, with the number of operands each takes. */
  static final List<String> COMMANDS =
      List.of(
          "list",
          "status",
          "history",
          "promote",
          "abort",
          "retry",
          "pause",
          "resume",
          "set-weight",
          "help",
          "version");

  private static final Set<String> ONE_NAME =
      Set.of("status", "history", "promote", "abort", "retry", "pause", "resume");

  /** A command line that cannot be run: exit code {@link Exit#USAGE}. */
  public static final class UsageException extends Exception {
    public UsageException(String message) {
      super(message);
    }
  }

  public boolean json() {
    return "json".equals(output);
  }

  public static Args parse(String... argv) throws UsageException {
    String command = null;
    List<String> operands = new ArrayList<>();
    String namespace = null;
    boolean all = false;
    String output = "text";
    String kubeconfig = null;
    String context = null;
    boolean watch = false;
    Duration timeout = null;
    boolean help = false;
    for (int i = 0; i < argv.length; i++) {
      String a = argv[i];
      String flag = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        flag = a.substring(0, eq);
        value = a.substring(eq + 1);
      } else if (a.startsWith("-o") && a.length() > 2 && !a.startsWith("--")) {
        flag = "-o";
        value = a.substring(2);
      }
      switch (flag) {
        case "-n", "--namespace" -> {
          value = value != null ? value : valueOf(argv, ++i, flag);
          namespace = value;
        }
        case "-A", "--all-namespaces" -> all = true;
        case "-o", "--output" -> {
          output = value != null ? value : valueOf(argv, ++i, flag);
          if (!output.equals("json") && !output.equals("text")) {
            throw new UsageException(
                "--output " + output + " is not known: use -o json, or leave it out for text");
          }
        }
        case "--kubeconfig" -> kubeconfig = value != null ? value : valueOf(argv, ++i, flag);
        case "--context" -> context = value != null ? value : valueOf(argv, ++i, flag);
        case "-w", "--watch" -> watch = true;
        case "--timeout" -> timeout = duration(value != null ? value : valueOf(argv, ++i, flag));
        case "-h", "--help" -> help = true;
        default -> {
          if (a.startsWith("-") && !a.matches("-\\d+")) {
            throw new UsageException("unknown flag " + a + " (see kubectl modelship --help)");
          }
          if (command == null) {
            command = a;
          } else {
            operands.add(a);
          }
        }
      }
    }
    if (command == null) {
      command = "help";
    }
    if (!COMMANDS.contains(command)) {
      throw new UsageException(
          "unknown command \"" + command + "\"; the commands are " + String.join(", ", COMMANDS));
    }
    Args args =
        new Args(
            command, operands, namespace, all, output, kubeconfig, context, watch, timeout, help);
    if (!help) {
      check(args);
    }
    return args;
  }

  private static void check(Args a) throws UsageException {
    if (ONE_NAME.contains(a.command) && a.operands.size() != 1) {
      throw new UsageException(
          "kubectl modelship " + a.command + " takes one ModelDeployment name, " + got(a));
    }
    if (a.command.equals("set-weight")) {
      if (a.operands.size() != 2) {
        throw new UsageException(
            "kubectl modelship set-weight takes a ModelDeployment name and a percent (0-100), "
                + got(a));
      }
      String w = a.operands.get(1);
      if (!w.matches("\\d{1,3}") || Integer.parseInt(w) > 100) {
        throw new UsageException("set-weight: \"" + w + "\" is not a whole percent from 0 to 100");
      }
    }
    if (a.command.equals("list") && !a.operands.isEmpty()) {
      throw new UsageException("kubectl modelship list takes no operand, " + got(a));
    }
    if (a.watch && !a.command.equals("status")) {
      throw new UsageException("--watch goes with status only");
    }
    if (a.timeout != null && !a.watch) {
      throw new UsageException("--timeout goes with status --watch only");
    }
    if (a.allNamespaces && !a.command.equals("list")) {
      throw new UsageException("--all-namespaces goes with list only");
    }
  }

  private static String got(Args a) {
    return a.operands.isEmpty()
        ? "got none"
        : "got " + a.operands.size() + ": " + String.join(" ", a.operands);
  }

  private static String valueOf(String[] argv, int i, String flag) throws UsageException {
    if (i >= argv.length || argv[i].isEmpty()) {
      throw new UsageException(flag + " needs a value");
    }
    return argv[i];
  }

  /** {@code 90s}, {@code 5m}, {@code 1h}, or seconds. */
  static Duration duration(String s) throws UsageException {
    try {
      if (s.matches("\\d+")) {
        return Duration.ofSeconds(Long.parseLong(s));
      }
      if (s.matches("\\d+(ms|s|m|h)")) {
        long n = Long.parseLong(s.replaceAll("\\D", ""));
        return switch (s.replaceAll("\\d", "")) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
      }
    } catch (NumberFormatException e) {
      // too large: falls through to the message
    }
    throw new UsageException("--timeout " + s + " is not a duration such as 90s, 5m or 1h");
  }
}
