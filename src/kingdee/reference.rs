//! The plain statement of the string-to-sign rules: decode the target, build
//! the canonical query, join the five lines. The signing path builds the same
//! bytes in one pass over the raw target ([`super::string_to_sign`]); this
//! module is what tests, fuzz targets and benchmarks check it against. Not a
//! stable API.

use super::encode::{self, percent_decode};
use super::string_to_sign::check_path;
use crate::error::Result;

/// A request target split into its decoded path and query parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The path with `%XX` escapes decoded (`+` stays `+`).
    pub path: String,
    /// The query parameters in wire order, names and values decoded
    /// (`+` is a space). Repeated names are kept.
    pub query: Vec<(String, String)>,
}

impl Target {
    /// Decodes a request target as it goes on the wire: `/path` or
    /// `/path?k=v&k2=v2`. Empty `&&` pieces are skipped; a piece without `=`
    /// is a parameter with an empty value.
    pub fn parse(path_and_query: &str) -> Result<Target> {
        let (raw_path, raw_query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        check_path(raw_path.as_bytes())?;
        let path = percent_decode(raw_path, false, "path")?;
        let mut query = Vec::new();
        if let Some(q) = raw_query {
            for piece in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
                query.push((
                    percent_decode(k, true, "query")?,
                    percent_decode(v, true, "query")?,
                ));
            }
        }
        Ok(Target { path, query })
    }
}

/// The canonical query of the official gateway client: each parameter as
/// `gw_encode(name) = java_encode(value)`, those strings sorted by bytes, then
/// each split at its first `=` and both halves `gw_encode`d again. A
/// parameter whose name is empty is left out, as the official client's
/// `getQueryEncode` does (`int index = param.indexOf("="); if (index < 1)
/// continue;`).
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut pairs: Vec<String> = params
        .iter()
        .filter(|(k, _)| !k.as_ref().is_empty())
        .map(|(k, v)| {
            let (k, v) = (k.as_ref(), v.as_ref());
            let mut s = String::with_capacity(k.len() + v.len() + 1);
            encode::gw_encode_into(&mut s, k);
            s.push('=');
            encode::java_encode_into(&mut s, v);
            s
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::with_capacity(pairs.iter().map(|s| s.len() + 8).sum());
    for (i, s) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        // The first '=' is ours: gw_encode turned any '=' of the name into %3D.
        let (k, v) = s.split_once('=').unwrap_or((s, ""));
        encode::gw_encode_into(&mut out, k);
        out.push('=');
        encode::gw_encode_into(&mut out, v);
    }
    out
}

/// The string to sign for an already decoded target (arguments unchecked).
pub fn string_to_sign_for(method: &str, target: &Target, nonce: &str, timestamp: &str) -> String {
    let query = canonical_query(&target.query);
    let mut s = String::with_capacity(
        method.len() + target.path.len() * 3 + query.len() + nonce.len() + timestamp.len() + 40,
    );
    for b in method.bytes() {
        s.push(b.to_ascii_uppercase() as char);
    }
    s.push('\n');
    encode::gw_encode_into(&mut s, &target.path);
    s.push('\n');
    s.push_str(&query);
    s.push_str("\nx-api-nonce:");
    s.push_str(nonce);
    s.push_str("\nx-api-timestamp:");
    s.push_str(timestamp);
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kingdee::string_to_sign;

    #[test]
    fn canonical_query_sorts_whole_pairs_and_encodes_twice() {
        let q = canonical_query(&[("a", "2"), ("a-b", "1")]);
        assert_eq!(q, "a-b=1&a=2");
        let q = canonical_query(&[("page", "1"), ("page2", "x")]);
        assert_eq!(q, "page2=x&page=1");
        let q = canonical_query(&[("k", "中 =*~")]);
        assert_eq!(q, "k=%25E4%25B8%25AD%2B%253D%2A%257E");
        let q = canonical_query(&[("k", "2"), ("k", "1"), ("k", "1")]);
        assert_eq!(q, "k=1&k=1&k=2");
        assert_eq!(canonical_query::<&str, &str>(&[]), "");
    }

    #[test]
    fn target_decoding() {
        let t = Target::parse("/a%20b?q=%E4%B8%AD+x&&flag&e=").unwrap();
        assert_eq!(t.path, "/a b");
        assert_eq!(
            t.query,
            vec![
                ("q".into(), "中 x".into()),
                ("flag".into(), "".into()),
                ("e".into(), "".into())
            ]
        );
        assert!(Target::parse("https://x/y").is_err());
        assert!(Target::parse("/p?a=%").is_err());
    }

    /// The buffer-reusing builder must agree with the plain statement of
    /// the rules (`Target::parse` + `string_to_sign_for`) on any target.
    #[test]
    fn one_pass_builder_agrees_with_reference() {
        const ATOMS: &[&str] = &[
            "a",
            "Z",
            "9",
            "-",
            ".",
            "_",
            "~",
            "*",
            "+",
            " ",
            "%20",
            "%2B",
            "%2b",
            "%25",
            "%3D",
            "=",
            "&",
            "&&",
            "%E4%B8%AD",
            "中",
            "😀",
            "%F0%9F%98%80",
            "/",
            "%2F",
            "page",
            "page2",
            "a-b",
            "",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..20_000 {
            let mut target = String::from("/");
            for _ in 0..next(4) {
                target.push_str(ATOMS[next(ATOMS.len())]);
            }
            if next(4) > 0 {
                target.push('?');
                // Now and then a long query, past the insertion sort's reach.
                let atoms = if next(20) == 0 {
                    40 + next(200)
                } else {
                    next(10)
                };
                for _ in 0..atoms {
                    target.push_str(ATOMS[next(ATOMS.len())]);
                }
            }
            let one_pass = string_to_sign("post", &target, "12", "34");
            let reference =
                Target::parse(&target).map(|t| string_to_sign_for("post", &t, "12", "34"));
            assert_eq!(one_pass, reference, "target {target:?}");
        }
    }
}
