//! Logins: exactly the configured user (or anonymous), with a delay after each failure and a
//! limit per address.
//!
//! libunftp has a failed-login policy, but its cache lives in one `Server`; this server builds
//! a `Server` per connection (to bind port 0 and know each peer), so a client that reconnects
//! would start afresh. The bookkeeping therefore lives here, shared by all connections.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use unftp_core::auth::{AuthenticationError, Authenticator, Credentials, Principal};

use super::ServerAuth;
use super::session::Session;

/// How failed logins are slowed down and, past a limit, refused.
#[derive(Debug, Clone)]
pub struct LoginPolicy {
    /// Every failed login waits this long before its reply.
    pub delay: Duration,
    /// After this many failures from one address within `window`, every login from it is
    /// refused until the window has passed since the last failure.
    pub limit: u32,
    pub window: Duration,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            delay: Duration::from_secs(1),
            limit: 5,
            window: Duration::from_secs(10 * 60),
        }
    }
}

/// Failures per address, shared by every connection.
#[derive(Debug, Default)]
pub struct Failures(Mutex<HashMap<IpAddr, (u32, Instant)>>);

impl Failures {
    fn blocked(&self, ip: IpAddr, policy: &LoginPolicy) -> bool {
        let Ok(mut map) = self.0.lock() else {
            return false;
        };
        match map.get(&ip) {
            Some(&(_, last)) if last.elapsed() >= policy.window => {
                map.remove(&ip);
                false
            }
            Some(&(n, _)) => n >= policy.limit,
            None => false,
        }
    }

    fn failed(&self, ip: IpAddr) -> u32 {
        let Ok(mut map) = self.0.lock() else { return 0 };
        // Keep the table small: forget addresses that have been quiet for long.
        if map.len() > 4096 {
            map.retain(|_, (_, last)| last.elapsed() < Duration::from_secs(3600));
        }
        let e = map.entry(ip).or_insert((0, Instant::now()));
        e.0 += 1;
        e.1 = Instant::now();
        e.0
    }

    fn succeeded(&self, ip: IpAddr) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(&ip);
        }
    }
}

/// Accepts exactly the configured login.
#[derive(Debug)]
pub struct FixedAuth {
    pub auth: ServerAuth,
    pub policy: LoginPolicy,
    pub failures: Arc<Failures>,
    pub session: Arc<Session>,
}

impl FixedAuth {
    fn check(&self, username: &str, creds: &Credentials) -> Result<(), AuthenticationError> {
        match &self.auth {
            ServerAuth::Anonymous if username == "anonymous" || username == "ftp" => Ok(()),
            ServerAuth::Anonymous => Err(AuthenticationError::BadUser),
            ServerAuth::User { user, password } => {
                if username != user {
                    Err(AuthenticationError::BadUser)
                } else if creds.password.as_deref() != Some(password.as_str()) {
                    Err(AuthenticationError::BadPassword)
                } else {
                    Ok(())
                }
            }
        }
    }
}

#[async_trait]
impl Authenticator for FixedAuth {
    async fn authenticate(
        &self,
        username: &str,
        creds: &Credentials,
    ) -> Result<Principal, AuthenticationError> {
        let ip = creds.source_ip;
        if self.failures.blocked(ip, &self.policy) {
            self.session.say(format!(
                "login as {username} refused: too many failed logins from this address"
            ));
            tokio::time::sleep(self.policy.delay).await;
            return Err(AuthenticationError::BadPassword);
        }
        match self.check(username, creds) {
            Ok(()) => {
                self.failures.succeeded(ip);
                Ok(Principal {
                    username: username.to_string(),
                })
            }
            Err(e) => {
                let n = self.failures.failed(ip);
                let why = match e {
                    AuthenticationError::BadUser => "unknown user",
                    _ => "wrong password",
                };
                self.session.say(format!(
                    "login as {username} refused: {why} (failure {n} of {} from this address)",
                    self.policy.limit
                ));
                tokio::time::sleep(self.policy.delay).await;
                Err(e)
            }
        }
    }
}
