//! Where a request comes from: the client address (trusting forwarded headers only from configured
//! proxies) and the user agent. Both go to the audit trail and the rate limits.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::IpNet;

use crate::error::AppError;

/// The client address and user agent of a request.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    /// The client's address as far as it can be trusted.
    pub ip: IpAddr,
    /// The User-Agent header, truncated to 400 characters.
    pub user_agent: String,
}

impl ClientInfo {
    /// For actions that do not come through HTTP (command line, demo set-up).
    pub fn local(tool: &str) -> Self {
        ClientInfo {
            ip: IpAddr::from([127, 0, 0, 1]),
            user_agent: tool.to_string(),
        }
    }
}

/// The proxies whose forwarded headers are believed (the server's `--trusted-proxy` settings); the
/// application state hands them to [`ClientInfo`]'s extractor.
#[derive(Debug, Clone)]
pub struct TrustedProxies(pub Arc<[IpNet]>);

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo
where
    TrustedProxies: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        let ip = client_ip(peer, &parts.headers, &TrustedProxies::from_ref(state).0);
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(400)
            .collect();
        Ok(ClientInfo { ip, user_agent })
    }
}

/// Walks X-Forwarded-For from the right while the hop is a trusted proxy; the first untrusted hop is the
/// client. A peer that is not a trusted proxy is the client, whatever headers it sends.
pub(crate) fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.into_iter()
        .rev()
        .find(|hop| !is_trusted(hop))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert("x-forwarded-for", xff.parse().unwrap());
        map
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(client_ip(peer, &headers("1.2.3.4"), &[]), peer);
    }

    #[test]
    fn forwarded_for_is_walked_through_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        let got = client_ip(peer, &headers("6.6.6.6, 49.36.1.2, 10.0.0.7"), &trusted);
        assert_eq!(got, "49.36.1.2".parse::<IpAddr>().unwrap());
    }
}
