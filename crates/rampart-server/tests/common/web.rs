//! Web-UI test helpers: a browser's cookie and CSRF token, form posts,
//! and pages made stable for snapshots.

use axum::body::Body;
use axum::http::{Method, Request, header};

use super::{Answer, Harness, PASSWORD, expect};

/// A signed-in browser: its session cookie and the CSRF token its pages carry.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

pub fn text(answer: &Answer) -> String {
    String::from_utf8(answer.raw.clone()).unwrap()
}

pub fn form_post(path: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

pub fn page(path: &str, cookie: Option<&str>) -> Request<Body> {
    let mut request = Request::builder().uri(path);
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::empty()).unwrap()
}

/// The value of the first hidden `csrf` field in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a csrf field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

pub async fn sign_in(h: &Harness, name: &str) -> Browser {
    let answer = h
        .send(form_post(
            "/sign-in",
            None,
            &format!("name={name}&password={}", PASSWORD.replace(' ', "+")),
        ))
        .await;
    expect(&answer, 303);
    let set_cookie = answer.headers[header::SET_COOKIE].to_str().unwrap();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let home = h.send(page("/", Some(&cookie))).await;
    expect(&home, 200);
    Browser {
        csrf: csrf_in(&text(&home)),
        cookie,
    }
}

/// Makes a page stable for a snapshot: times, ages, tokens, the asset hash.
pub fn stable(html: &str, replace: &[(&str, &str)]) -> String {
    let mut out = html.to_owned();
    for (from, to) in replace {
        out = out.replace(from, to);
    }
    let mut result = String::with_capacity(out.len());
    let bytes = out.as_bytes();
    let mut i = 0;
    let shape = |s: &[u8], pattern: &[u8]| {
        s.len() >= pattern.len()
            && pattern.iter().zip(s).all(|(p, c)| {
                if *p == b'9' {
                    c.is_ascii_digit()
                } else {
                    p == c
                }
            })
    };
    while i < bytes.len() {
        let rest = &bytes[i..];
        if shape(rest, b"9999-99-99 99:99 UTC") {
            result.push_str("[time]");
            i += 20;
        } else if rest.starts_with(b"datetime=\"") {
            let end = out[i + 10..].find('"').unwrap();
            result.push_str("datetime=\"[time]\"");
            i += 10 + end + 1;
        } else if rest.starts_with(b"name=\"csrf\" value=\"") {
            let end = out[i + 19..].find('"').unwrap();
            result.push_str("name=\"csrf\" value=\"[csrf]\"");
            i += 19 + end + 1;
        } else if rest.starts_with(b"/assets/rampart-") {
            result.push_str("/assets/rampart-[hash].css");
            i += "/assets/rampart-".len() + 16 + 4;
        } else if shape(rest, b"SEC-9999-") {
            result.push_str("SEC-[year]-");
            i += 9;
        } else {
            let c = out[i..].chars().next().unwrap();
            result.push(c);
            i += c.len_utf8();
        }
    }
    result
}
