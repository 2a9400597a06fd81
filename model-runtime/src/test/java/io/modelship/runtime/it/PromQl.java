package io.modelship.runtime.it;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a PromQL expression (or a Grafana {@code label_values(...)} query) reads: the metric of
 * every selector with the labels its matchers name, and every label an aggregation groups by or a
 * vector match joins on. Enough of PromQL to check a dashboard against real scrapes, not an
 * evaluator: it knows the tokens, parentheses and modifiers, and refuses what it cannot read
 * (unbalanced brackets, a selector without a metric name) rather than skipping it.
 */
final class PromQl {

  /** One selector: {@code metric{label="..."}}, with the labels its matchers name. */
  record Selector(String metric, Set<String> labels) {}

  /**
   * Labels named by {@code by}, {@code without} (each must be on every metric of the aggregated
   * expression: {@code every}), or by {@code on}, {@code ignoring}, {@code group_left}, {@code
   * group_right} and Grafana's {@code label_values} (on at least one metric of {@code metrics}).
   */
  record LabelUse(String modifier, Set<String> labels, Set<String> metrics, boolean every) {}

  /** A parsed expression. */
  record Query(List<Selector> selectors, List<LabelUse> labelUses) {
    Set<String> metrics() {
      Set<String> m = new LinkedHashSet<>();
      selectors.forEach(s -> m.add(s.metric()));
      return m;
    }
  }

  /** Aggregations, set and comparison operators, and other words that are not metrics. */
  static final Set<String> KEYWORDS =
      Set.of(
          "sum",
          "min",
          "max",
          "avg",
          "count",
          "stddev",
          "stdvar",
          "topk",
          "bottomk",
          "quantile",
          "count_values",
          "group",
          "limitk",
          "limit_ratio",
          "and",
          "or",
          "unless",
          "atan2",
          "offset",
          "bool",
          "inf",
          "nan");

  private static final Set<String> GROUPING = Set.of("by", "without");
  private static final Set<String> MATCHING = Set.of("on", "ignoring", "group_left", "group_right");

  private enum Kind {
    IDENT,
    NUMBER,
    STRING,
    VARIABLE,
    RANGE,
    LPAREN,
    RPAREN,
    LBRACE,
    RBRACE,
    COMMA,
    OP
  }

  private record Token(Kind kind, String text, int pos) {}

  private final String expr;
  private final List<Token> tokens;
  private final List<Selector> selectors = new ArrayList<>();
  private final List<Integer> selectorAt = new ArrayList<>();
  private final List<LabelUse> uses = new ArrayList<>();

  private PromQl(String expr) {
    this.expr = expr;
    this.tokens = tokenize(expr);
  }

  /**
   * Parses {@code expr}; throws IllegalArgumentException naming the position of what it refuses.
   */
  static Query parse(String expr) {
    PromQl p = new PromQl(expr);
    p.walk();
    return new Query(List.copyOf(p.selectors), List.copyOf(p.uses));
  }

  private IllegalArgumentException error(String what, int pos) {
    return new IllegalArgumentException(what + " at offset " + pos + " of: " + expr);
  }

  private List<Token> tokenize(String s) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      int start = i;
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"' || c == '\'' || c == '`') {
        i++;
        while (i < s.length() && s.charAt(i) != c) {
          i += s.charAt(i) == '\\' && c != '`' ? 2 : 1;
        }
        if (i >= s.length()) {
          throw error("unterminated string", start);
        }
        i++;
        out.add(new Token(Kind.STRING, s.substring(start, i), start));
      } else if (c == '[') {
        // A range or subquery: durations and Grafana variables ($__rate_interval), no metrics.
        int end = s.indexOf(']', i);
        if (end < 0) {
          throw error("unclosed [", start);
        }
        i = end + 1;
        out.add(new Token(Kind.RANGE, s.substring(start, i), start));
      } else if (c == '$') {
        i++;
        if (i < s.length() && s.charAt(i) == '{') {
          int end = s.indexOf('}', i);
          if (end < 0) {
            throw error("unclosed ${", start);
          }
          i = end + 1;
        } else {
          while (i < s.length() && isIdentPart(s.charAt(i))) {
            i++;
          }
        }
        out.add(new Token(Kind.VARIABLE, s.substring(start, i), start));
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        while (i < s.length() && isIdentPart(s.charAt(i))) {
          i++;
        }
        out.add(new Token(Kind.IDENT, s.substring(start, i), start));
      } else if (Character.isDigit(c)
          || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
        // Numbers and durations (0.99, 1e3, 15m, 1h30m).
        while (i < s.length() && (isIdentPart(s.charAt(i)) || s.charAt(i) == '.')) {
          i++;
        }
        out.add(new Token(Kind.NUMBER, s.substring(start, i), start));
      } else if ("(){},".indexOf(c) >= 0) {
        i++;
        Kind k =
            switch (c) {
              case '(' -> Kind.LPAREN;
              case ')' -> Kind.RPAREN;
              case '{' -> Kind.LBRACE;
              case '}' -> Kind.RBRACE;
              default -> Kind.COMMA;
            };
        out.add(new Token(k, String.valueOf(c), start));
      } else if ("=!~<>+-*/%^".indexOf(c) >= 0) {
        while (i < s.length() && "=!~<>".indexOf(s.charAt(i)) >= 0 && i - start < 2) {
          i++;
        }
        if (i == start) {
          i++;
        }
        out.add(new Token(Kind.OP, s.substring(start, i), start));
      } else {
        throw error("unexpected character '" + c + "'", i);
      }
    }
    return out;
  }

  private static boolean isIdentPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }

  private Kind kind(int i) {
    return i < tokens.size() ? tokens.get(i).kind() : null;
  }

  /** The index of the bracket closing the one at {@code open}. */
  private int close(int open) {
    Kind o = tokens.get(open).kind();
    Kind c = o == Kind.LPAREN ? Kind.RPAREN : Kind.RBRACE;
    int depth = 0;
    for (int i = open; i < tokens.size(); i++) {
      if (tokens.get(i).kind() == o) {
        depth++;
      } else if (tokens.get(i).kind() == c && --depth == 0) {
        return i;
      }
    }
    throw error("unclosed " + tokens.get(open).text(), tokens.get(open).pos());
  }

  /** The index of the bracket opening the one at {@code close}. */
  private int open(int close) {
    int depth = 0;
    for (int i = close; i >= 0; i--) {
      if (tokens.get(i).kind() == Kind.RPAREN) {
        depth++;
      } else if (tokens.get(i).kind() == Kind.LPAREN && --depth == 0) {
        return i;
      }
    }
    throw error("unopened )", tokens.get(close).pos());
  }

  private Set<String> identsIn(int open, int close) {
    Set<String> labels = new LinkedHashSet<>();
    for (int i = open + 1; i < close; i++) {
      Token t = tokens.get(i);
      if (t.kind() == Kind.IDENT) {
        labels.add(t.text());
      } else if (t.kind() != Kind.COMMA) {
        throw error("a label list holds label names only, not '" + t.text() + "'", t.pos());
      }
    }
    return labels;
  }

  private Set<String> metricsBetween(int from, int to) {
    Set<String> m = new LinkedHashSet<>();
    for (int k = 0; k < selectors.size(); k++) {
      if (selectorAt.get(k) > from && selectorAt.get(k) < to) {
        m.add(selectors.get(k).metric());
      }
    }
    return m;
  }

  private void walk() {
    int depth = 0;
    for (Token t : tokens) {
      depth += t.kind() == Kind.LPAREN ? 1 : t.kind() == Kind.RPAREN ? -1 : 0;
      if (depth < 0) {
        throw error("unopened )", t.pos());
      }
    }
    if (depth != 0) {
      throw error("unclosed (", expr.length());
    }
    // Selectors first, so that scopes of modifiers can be resolved against them.
    record Pending(String modifier, int listOpen, int listClose, int at) {}
    List<Pending> pending = new ArrayList<>();
    List<int[]> labelValues = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      Token t = tokens.get(i);
      if (t.kind() == Kind.LBRACE) {
        throw error("a selector without a metric name", t.pos());
      }
      if (t.kind() != Kind.IDENT) {
        continue;
      }
      String w = t.text();
      if (GROUPING.contains(w) || MATCHING.contains(w)) {
        if (kind(i + 1) == Kind.LPAREN) {
          int c = close(i + 1);
          pending.add(new Pending(w, i + 1, c, i));
          i = c;
        } else if (GROUPING.contains(w) || w.equals("on") || w.equals("ignoring")) {
          throw error("'" + w + "' needs a label list", t.pos());
        }
        continue;
      }
      if (kind(i + 1) == Kind.LPAREN) {
        if (w.equals("label_values")) {
          labelValues.add(new int[] {i + 1, close(i + 1)});
        }
        continue; // a function or an aggregation
      }
      if (KEYWORDS.contains(w.toLowerCase())) {
        continue;
      }
      if (w.equals("label_values") || isLabelValuesLabel(i, labelValues)) {
        continue;
      }
      Set<String> labels = new LinkedHashSet<>();
      if (kind(i + 1) == Kind.LBRACE) {
        int c = close(i + 1);
        for (int j = i + 2; j < c; ) {
          if (kind(j) != Kind.IDENT || kind(j + 1) != Kind.OP || j + 2 >= c) {
            throw error("a label matcher must read name op \"value\"", tokens.get(j).pos());
          }
          labels.add(tokens.get(j).text());
          j += 3;
          if (j < c && kind(j) != Kind.COMMA) {
            throw error("matchers are separated by commas", tokens.get(j).pos());
          }
          j++;
        }
        selectors.add(new Selector(w, labels));
        selectorAt.add(i);
        i = c;
      } else {
        selectors.add(new Selector(w, labels));
        selectorAt.add(i);
      }
    }
    for (Pending p : pending) {
      Set<String> labels = identsIn(p.listOpen(), p.listClose());
      if (GROUPING.contains(p.modifier())) {
        int from;
        int to;
        if (kind(p.listClose() + 1) == Kind.LPAREN) { // sum by (x) (expr)
          from = p.listClose() + 1;
          to = close(from);
        } else if (p.at() > 0 && kind(p.at() - 1) == Kind.RPAREN) { // sum (expr) by (x)
          to = p.at() - 1;
          from = open(to);
        } else {
          throw error("'" + p.modifier() + "' is not next to an aggregated expression", p.at());
        }
        uses.add(new LabelUse(p.modifier(), labels, metricsBetween(from, to), true));
      } else {
        uses.add(new LabelUse(p.modifier(), labels, metricsBetween(-1, tokens.size()), false));
      }
    }
    for (int[] lv : labelValues) {
      // label_values(selector, label): the last argument is a label of the selector's metric.
      int last = lv[1] - 1;
      if (kind(last) != Kind.IDENT || kind(last - 1) != Kind.COMMA) {
        throw error("label_values(metric, label) needs a label name last", tokens.get(lv[0]).pos());
      }
      uses.add(
          new LabelUse(
              "label_values", Set.of(tokens.get(last).text()), metricsBetween(lv[0], last), true));
    }
  }

  /** Whether the identifier at {@code i} is the label argument of a label_values(...) call. */
  private boolean isLabelValuesLabel(int i, List<int[]> labelValues) {
    for (int[] lv : labelValues) {
      if (i == lv[1] - 1 && kind(i - 1) == Kind.COMMA) {
        return true;
      }
    }
    return false;
  }
}
