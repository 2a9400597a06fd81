package io.modelship.runtime.cli;

/**
 * One command-line argument split into flag and inline value: {@code --port=8080} is ({@code
 * --port}, {@code 8080}); {@code --port} is ({@code --port}, null), its value being the next
 * argument.
 */
public record Flag(String name, String inlineValue) {
  public static Flag split(String arg) {
    int eq = arg.indexOf('=');
    if (arg.startsWith("--") && eq > 0) {
      return new Flag(arg.substring(0, eq), arg.substring(eq + 1));
    }
    return new Flag(arg, null);
  }
}
