//! The files a test Dovecot starts from: its config and its TLS certificates.
//!
//! In: the instance dir, ports and options. Out: `dovecot.conf` text, and a CA plus a
//! `localhost`/`127.0.0.1` leaf minted with rcgen (rustls refuses a CA as the leaf).

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::DovecotOptions;

pub(super) fn dovecot_conf(
    root: &Path,
    options: &DovecotOptions,
    imap_port: u16,
    imaps_port: u16,
    as_root: bool,
) -> String {
    let t = root.display();
    let (mail_user, privileges) = if as_root {
        ("uid=nobody gid=nogroup".to_owned(), String::new())
    } else {
        let meta = std::fs::metadata("/proc/self").expect("cannot stat /proc/self");
        (
            format!("uid={} gid={}", meta.uid(), meta.gid()),
            // Unprivileged: no user switching and no chroots.
            "default_login_user = nobody\ndefault_internal_user = nobody\n\
             default_internal_group = nogroup\nservice anvil {\n  chroot =\n}\n\
             service imap-login {\n  chroot =\n}\n"
                .to_owned(),
        )
    };
    let (mechanisms, oauth2) = match &options.oauth2_tokeninfo_url {
        Some(url) => {
            let settings = format!("tokeninfo_url = {url}\nusername_attribute = username\n");
            std::fs::write(root.join("oauth2.conf.ext"), settings)
                .expect("cannot write oauth2 conf");
            (
                "plain login xoauth2",
                format!(
                    "passdb {{\n  driver = oauth2\n  mechanisms = xoauth2\n  \
                     args = {t}/oauth2.conf.ext\n}}\n"
                ),
            )
        }
        None => ("plain login", String::new()),
    };
    format!(
        "base_dir = {t}/run\nstate_dir = {t}/state\ninstance_name = onbehalf-test-{imap_port}\n\
         log_path = {t}/dovecot.log\nprotocols = imap\nlisten = 127.0.0.1\n\
         ssl = yes\nssl_cert = <{t}/tls/server.pem\nssl_key = <{t}/tls/server.key\n\
         auth_mechanisms = {mechanisms}\ndisable_plaintext_auth = no\nauth_failure_delay = 0\n\
         mail_location = maildir:~/Maildir\nfirst_valid_uid = 1\n\
         passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {t}/passwd\n}}\n\
         {oauth2}\
         userdb {{\n  driver = static\n  args = {mail_user} home={t}/home/%u\n}}\n\
         service imap-login {{\n\
           inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap_port}\n  }}\n\
           inet_listener imaps {{\n    address = 127.0.0.1\n    port = {imaps_port}\n    ssl = yes\n  }}\n\
         }}\n{privileges}{}\n",
        options.extra_config
    )
}

/// Mints a CA and a leaf for localhost/127.0.0.1 (rustls refuses a CA as the leaf);
/// writes `ca.pem`, `server.pem`, `server.key`; returns the CA PEM.
pub(super) fn write_tls(dir: &Path) -> String {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    std::fs::create_dir(dir).expect("cannot make the tls dir");
    let ca_key = KeyPair::generate().expect("cannot make a CA key");
    let mut ca_params = CertificateParams::new(Vec::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "onbehalf test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).expect("cannot sign the CA");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().expect("cannot make a server key");
    let mut leaf_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("leaf params");
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .expect("cannot sign the leaf");
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).expect("cannot write ca.pem");
    std::fs::write(dir.join("server.pem"), leaf.pem()).expect("cannot write server.pem");
    std::fs::write(dir.join("server.key"), leaf_key.serialize_pem()).expect("cannot write key");
    ca_cert.pem()
}
