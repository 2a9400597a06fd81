package io.modelship.runtime.scoring;

import java.util.ArrayList;
import java.util.List;

/** CSV cells of one line (RFC 4180 quoting, a quoted field does not span lines), and quoting. */
final class Csv {

  /** A line that is not well-formed CSV. */
  static final class SyntaxException extends Exception {
    SyntaxException(String message) {
      super(message, null, false, false);
    }
  }

  private Csv() {}

  /** The cells of a line, unquoted. */
  static List<String> split(String line) throws SyntaxException {
    List<String> cells = new ArrayList<>();
    int n = line.length();
    int i = 0;
    while (true) {
      if (i < n && line.charAt(i) == '"') {
        StringBuilder b = new StringBuilder();
        int start = i;
        i++;
        while (true) {
          if (i >= n) {
            throw new SyntaxException(
                "unterminated quoted field starting at column "
                    + (start + 1)
                    + " (a quoted field cannot span lines)");
          }
          char c = line.charAt(i);
          if (c == '"') {
            if (i + 1 < n && line.charAt(i + 1) == '"') {
              b.append('"');
              i += 2;
            } else {
              i++;
              break;
            }
          } else {
            b.append(c);
            i++;
          }
        }
        if (i < n && line.charAt(i) != ',') {
          throw new SyntaxException(
              "unexpected character '"
                  + line.charAt(i)
                  + "' after a closing quote at column "
                  + (i + 1));
        }
        cells.add(b.toString());
      } else {
        int comma = line.indexOf(',', i);
        int stop = comma < 0 ? n : comma;
        cells.add(line.substring(i, stop));
        i = stop;
      }
      if (i >= n) {
        return cells;
      }
      i++; // the comma
    }
  }

  /** The cell as CSV: quoted when it holds a comma, a quote, a line break or outer spaces. */
  static String quote(String cell) {
    boolean needs =
        !cell.isEmpty() && (cell.charAt(0) == ' ' || cell.charAt(cell.length() - 1) == ' ');
    for (int i = 0; i < cell.length() && !needs; i++) {
      char c = cell.charAt(i);
      needs = c == ',' || c == '"' || c == '\n' || c == '\r';
    }
    return needs ? '"' + cell.replace("\"", "\"\"") + '"' : cell;
  }
}
