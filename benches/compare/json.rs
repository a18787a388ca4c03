//! A tiny JSON writer that keeps keys in order and arrays of numbers on one line, so that
//! `bench/results.json` reads well and diffs small. Reading goes through `serde_json`.

use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    /// Keys keep their order.
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn obj<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Json)>) -> Json {
        Json::Obj(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    pub fn opt_num(x: Option<f64>) -> Json {
        x.map_or(Json::Null, Json::Num)
    }

    /// From a parsed value (objects in the parser's key order).
    pub fn from_value(v: &serde_json::Value) -> Json {
        use serde_json::Value;
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Number(n) => n.as_f64().map_or(Json::Null, Json::Num),
            Value::String(s) => Json::Str(s.clone()),
            Value::Array(a) => Json::Arr(a.iter().map(Json::from_value).collect()),
            Value::Object(o) => Json::Obj(
                o.iter()
                    .map(|(k, v)| (k.clone(), Json::from_value(v)))
                    .collect(),
            ),
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_num(&self) -> Option<f64> {
        match self {
            Json::Num(x) => Some(*x),
            _ => None,
        }
    }

    pub fn nums(xs: &[f64]) -> Json {
        Json::Arr(xs.iter().copied().map(Json::Num).collect())
    }

    /// Pretty-printed with two-space indents; arrays of plain numbers stay on one line.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out.push('\n');
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        let pad = |out: &mut String, d: usize| out.push_str(&"  ".repeat(d));
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(x) => number(out, *x),
            Json::Str(s) => string(out, s),
            Json::Arr(items) if items.iter().all(|i| matches!(i, Json::Num(_) | Json::Null)) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, depth);
                }
                out.push(']');
            }
            Json::Arr(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    pad(out, depth + 1);
                    item.write(out, depth + 1);
                }
                if !items.is_empty() {
                    out.push('\n');
                    pad(out, depth);
                }
                out.push(']');
            }
            Json::Obj(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    pad(out, depth + 1);
                    string(out, k);
                    out.push_str(": ");
                    v.write(out, depth + 1);
                }
                if !pairs.is_empty() {
                    out.push('\n');
                    pad(out, depth);
                }
                out.push('}');
            }
        }
    }
}

fn number(out: &mut String, x: f64) {
    if !x.is_finite() {
        out.push_str("null");
    } else if x == x.trunc() && x.abs() < 1e15 {
        let _ = write!(out, "{}", x as i64);
    } else {
        // Six significant digits are plenty for timings and rates.
        let s = format!("{x:.5e}");
        let parsed: f64 = s.parse().unwrap_or(x);
        let _ = write!(out, "{parsed}");
    }
}

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub fn tests() -> Vec<super::Case> {
    vec![
        super::case("json: strings are escaped", || {
            let j = Json::str("a\"b\\c\nd\u{1}é");
            assert_eq!(j.pretty(), "\"a\\\"b\\\\c\\nd\\u0001é\"\n");
        }),
        super::case("json: numbers, nulls and nesting", || {
            let j = Json::obj([
                ("n", Json::Num(3.0)),
                ("x", Json::Num(0.123456789)),
                ("inf", Json::Num(f64::INFINITY)),
                ("none", Json::Null),
                ("ok", Json::Bool(true)),
                ("xs", Json::nums(&[1.0, 2.5])),
                ("rows", Json::Arr(vec![Json::obj([("a", Json::str("b"))])])),
                ("empty", Json::Arr(vec![])),
            ]);
            let text = j.pretty();
            assert!(text.contains("\"n\": 3,"), "{text}");
            assert!(text.contains("\"x\": 0.123457,"), "{text}");
            assert!(text.contains("\"inf\": null,"), "{text}");
            assert!(text.contains("\"xs\": [1, 2.5],"), "{text}");
            assert!(
                text.contains("\"rows\": [\n    {\n      \"a\": \"b\"\n    }\n  ],"),
                "{text}"
            );
            assert!(text.contains("\"empty\": []\n}"), "{text}");
        }),
    ]
}
