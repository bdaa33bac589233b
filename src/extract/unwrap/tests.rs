//! The test vectors of `docs/url-wrappers.md`, links built by encoding a known URL the way
//! each wrapper does, nesting, the layer cap and look-alike hosts.

use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::{MAX_LAYERS, Opaque, unwrap};

const TARGET: &str = "https://app.example.com/invite?token=Ab3+x/y==&lang=en#start";

fn pct(url: &str) -> String {
    utf8_percent_encode(url, NON_ALPHANUMERIC).to_string()
}

fn safe_links(url: &str) -> String {
    format!(
        "https://eur01.safelinks.protection.outlook.com/?url={}&data=05%7C02%7Cuser%40example.org%7C0&sdata=abc%3D&reserved=0",
        pct(url)
    )
}

fn google(url: &str) -> String {
    format!("https://www.google.com/url?q={}&sa=D&sntz=1", pct(url))
}

/// Proofpoint v3 keeps the URL readable and moves these characters into the table.
fn proofpoint_v3(url: &str) -> String {
    let mut template = String::new();
    let mut table = String::new();
    let mut chars = url.chars().peekable();
    while let Some(c) = chars.next() {
        if !matches!(c, '%' | '#' | '*' | '+') {
            template.push(c);
            continue;
        }
        let mut run = vec![c];
        while run.len() < 65
            && chars
                .peek()
                .is_some_and(|n| matches!(n, '%' | '#' | '*' | '+'))
        {
            run.extend(chars.next());
        }
        table.extend(&run);
        if run.len() == 1 {
            template.push('*');
        } else {
            let codes: Vec<char> =
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                    .chars()
                    .collect();
            template.push_str("**");
            template.push(codes[run.len() - 2]);
        }
    }
    format!(
        "https://urldefense.com/v3/__{template}__;{}!!ACWV5N9M2RV99hQ!Xyz$",
        URL_SAFE_NO_PAD.encode(table)
    )
}

fn assert_decodes(wrapped: &str, expected: &str) {
    let result = unwrap(wrapped);
    assert_eq!(result.url, expected, "decoding {wrapped}");
    assert_eq!(
        result.layers,
        vec![expected.to_owned()],
        "layers of {wrapped}"
    );
    assert_eq!(result.input, wrapped);
    assert_eq!(result.opaque, None);
}

#[test]
fn vector_proofpoint_v1() {
    assert_decodes(
        "https://urldefense.proofpoint.com/v1/url?u=http://www.bouncycastle.org/&amp;k=oIvRg1%2BdGAgOoM1BIlLLqw%3D%3D%0A&amp;r=IKM5u8%2B%2F%2Fi8EBhWOS%2BqGbTqCC%2BrMqWI%2FVfEAEsQO%2F0Y%3D%0A&amp;m=Ww6iaHO73mDQpPQwOwfLfN8WMapqHyvtu8jM8SjqmVQ%3D%0A&amp;s=d3583cfa53dade97025bc6274c6c8951dc29fe0f38830cf8e5a447723b9f1c9a",
        "http://www.bouncycastle.org/",
    );
}

#[test]
fn vector_proofpoint_v2() {
    assert_decodes(
        "https://urldefense.proofpoint.com/v2/url?u=https-3A__media.mnn.com_assets_images_2016_06_jupiter-2Dnasa.jpg.638x0-5Fq80-5Fcrop-2Dsmart.jpg&d=DwMBaQ&c=Vxt5e0Osvvt2gflwSlsJ5DmPGcPvTRKLJyp031rXjhg&r=BTD8MPjq1qSLi0tGKaB5H6aCJZZBjwYkLyorZdRQrnY&m=iKjixvaJuqvmReS78AB0JiActTrR_liSq7lDRjEQ9DE&s=-M8Vz-GV-kqkNVf1BAtv38DdudAHVDAI6_jQQLVmleE&e=",
        "https://media.mnn.com/assets/images/2016/06/jupiter-nasa.jpg.638x0_q80_crop-smart.jpg",
    );
}

#[test]
fn vector_proofpoint_v3_single_star() {
    assert_decodes(
        "https://urldefense.com/v3/__https://google.com:443/search?q=a*test&gs=ps__;Kw!-612Flbf0JvQ3kNJkRi5Jg!Ue6tQudNKaShHg93trcdjqDP8se2ySE65jyCIe2K1D_uNjZ1Lnf6YLQERujngZv9UWf66ujQIQ$",
        "https://google.com:443/search?q=a+test&gs=ps",
    );
}

#[test]
fn vector_proofpoint_v3_empty_table() {
    assert_decodes(
        "https://urldefense.com/v3/__https://google.com__;!!D0SnjzUQI17x!VcBcfvul5wWsx1iw3KhoC66wtff2ieY2HggKpaddrxr1snmNT5EvlqvREzZY7KzEVcQYj6yeDX4$",
        "https://google.com",
    );
}

#[test]
fn vector_proofpoint_v3_fragment() {
    assert_decodes(
        "https://urldefense.com/v3/__https://github.com/nextstrain/augur/pull/1175*discussion_r1130183899__;Iw!!GuAItXPztq0!jULEM6V$",
        "https://github.com/nextstrain/augur/pull/1175#discussion_r1130183899",
    );
}

#[test]
fn vector_safe_links() {
    assert_decodes(
        "https://nam11.safelinks.protection.outlook.com/?url=https%3A%2F%2Fbugzilla.redhat.com%2Fshow_bug.cgi%3Fid%3D1762031&amp;data=02%7C01%7Cuser%40example.com%7Ceb1ac5e877db4fa9d75f08d7a8ad87a3%7C3dd8961fe4884e608e11a82d994e183d%7C0%7C0%7C637163335569266081&amp;sdata=KemJKkVhpqDo%2FSbHhVaMz7jrcploEALJYg%2BRWvhJ7bM%3D&amp;reserved=0",
        "https://bugzilla.redhat.com/show_bug.cgi?id=1762031",
    );
}

#[test]
fn vector_teams_safe_links() {
    assert_decodes(
        "https://staticsint.teams.cdn.office.net/evergreen-assets/safelinks/1/atp-safelinks.html?url=https%3A%2F%2Fregistry.terraform.io%2Fproviders%2Fhashicorp%2Fazurerm%2Flatest%2Fdocs%2Fresources%2Fprivate_dns_zone_virtual_network_link&locale=en-gb",
        "https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs/resources/private_dns_zone_virtual_network_link",
    );
}

#[test]
fn vector_barracuda() {
    assert_decodes(
        "https://linkprotect.cudasvc.com/url?a=https%3a%2f%2fforms.office.com%2fr%2f6NRHreW3JH&c=E,1,9-Y_u22b_Mv4sA6x_4WhJ6PBdlgwhmLbDpR0sA8GUNnIASdygQI6RWypyLmwn0i3kQxAEeXMb2zJuSZDqni5bnLn4XmurkRs7Tdxv9Kth9eCtgRsmOw,&typo=1",
        "https://forms.office.com/r/6NRHreW3JH",
    );
}

#[test]
fn vector_sophos() {
    assert_decodes(
        "https://eu-central-1.protection.sophos.com/?d=sophos.com&u=aHR0cHM6Ly93d3cuc29waG9zLmNvbS9kZS1kZS9wcm9kdWN0cy9zb3Bob3MtZW1haWw=&i=NjJkMTA1NzEwNWJkNDAxMDc5ZDliN2Uy&t=OGE0L3MwTUdrUmE0NXdkWEtxSzdGdUMxS0JsRDFlK2tmcThqK2FSQjBYQT0=&h=0d5a5f867dd841698a9ee6af8c1d8846&s=AVNPUEhUT0NFTkNSWVBUSVaP4zyKF4qdzGb8PYXRFY2poaAOWE20fUiquUBd3DxoZw",
        "https://www.sophos.com/de-de/products/sophos-email",
    );
}

#[test]
fn vector_google_redirect() {
    assert_decodes(
        "https://www.google.com/url?q=https%3A%2F%2Fwww.eff.org%2Fevent%2Fhome-eff-online-censorship-beyond-trump-and-parler&sa=D&sntz=1&usg=AFQjCNEX9AEih9CIVAa3N9pAp0C-5WUa0g",
        "https://www.eff.org/event/home-eff-online-censorship-beyond-trump-and-parler",
    );
}

#[test]
fn vector_mimecast_is_opaque_with_host_hint() {
    let input = "https://protect-us.mimecast.com/s/bvw6ClYgmKf29D5ZHqNca4?domain=json-schema.org";
    let result = unwrap(input);
    assert_eq!(result.url, input);
    assert!(result.layers.is_empty());
    assert_eq!(result.opaque, Some(Opaque::Mimecast));
    assert_eq!(result.host_hint.as_deref(), Some("json-schema.org"));
}

#[test]
fn safe_links_gcc_high_and_upper_case_host() {
    let wrapped = format!(
        "https://GCC02.SafeLinks.Protection.Office365.US/?url={}&data=x&reserved=0",
        pct(TARGET)
    );
    assert_decodes(&wrapped, TARGET);
}

#[test]
fn plus_is_never_a_space() {
    assert_decodes(
        "https://nam11.safelinks.protection.outlook.com/?url=https%3A%2F%2Fexample.com%2Fs%3Fq%3Da+b%2Bc&reserved=0",
        "https://example.com/s?q=a+b+c",
    );
}

#[test]
fn proofpoint_v3_built_by_encoding() {
    assert_decodes(&proofpoint_v3(TARGET), TARGET);
}

#[test]
fn proofpoint_v3_longest_runs() {
    let target = format!("https://example.com/{}x{}", "+".repeat(70), "#".repeat(2));
    let wrapped = proofpoint_v3(&target);
    assert!(wrapped.contains("/**_**Dx**A__;"), "{wrapped}");
    assert_decodes(&wrapped, &target);
}

#[test]
fn proofpoint_v3_counts_characters_not_bytes() {
    let table = URL_SAFE_NO_PAD.encode("é€ü");
    let wrapped =
        format!("https://urldefense.us/v3/__https://example.com/caf*/**Ax__;{table}!!abc$");
    assert_decodes(&wrapped, "https://example.com/café/€üx");
}

#[test]
fn proofpoint_v2_html_escapes_are_undone() {
    assert_decodes(
        "https://urldefense.proofpoint.com/v2/url?u=https-3A__example.com_a-3Fx-3D1-26amp-3By-3D2&d=DwMFaQ&c=abc&e=",
        "https://example.com/a?x=1&y=2",
    );
}

#[test]
fn cisco_trend_symantec_fireeye() {
    let encoded = pct(TARGET);
    for wrapped in [
        format!("https://secure-web.cisco.com/1kQ9Bd-T0ken_x/{encoded}"),
        format!(
            "https://imsva91.ctp.trendmicro.com/wis/clicktime/v1/query?url={encoded}&umid=7C3A&auth=abc-def"
        ),
        format!("https://clicktime.symantec.com/3PqR9x?u={encoded}"),
        format!("https://protect2.fireeye.com/v1/url?k=31323334-501d5122&q=1&e=abc&u={encoded}"),
    ] {
        assert_decodes(&wrapped, TARGET);
    }
}

#[test]
fn sophos_built_by_encoding() {
    let wrapped = format!(
        "https://us-west-2.protection.sophos.com/?d=example.com&u={}&i=x&t=y",
        pct(&STANDARD.encode(TARGET))
    );
    assert_decodes(&wrapped, TARGET);
}

#[test]
fn amazon_ses() {
    let wrapped = format!(
        "https://a1b2c3.r.eu-west-1.awstrack.me/L0/{}/1/0102018f3e6a-7c4e-000000/AbCdEf=374",
        pct(TARGET)
    );
    assert_decodes(&wrapped, TARGET);
    // SES leaves ':' as it is.
    assert_decodes(
        "https://x.r.us-east-1.awstrack.me/L0/https:%2F%2Fexample.com%2Finvite%3Ft%3D1/1/010001/abc=1",
        "https://example.com/invite?t=1",
    );
}

#[test]
fn postmark() {
    for version in ["2", "3s", "3ts", "2m"] {
        let wrapped = format!(
            "https://click.pstmrk.it/{version}/{}/AbCd/EfGh/IjKl",
            pct("app.example.com/invite?token=Ab3+x/y==")
        );
        assert_decodes(&wrapped, "https://app.example.com/invite?token=Ab3+x/y==");
    }
}

fn mailgun_data(payload: &str) -> String {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(payload.as_bytes()).unwrap();
    URL_SAFE_NO_PAD.encode(encoder.finish().unwrap())
}

fn mailgun(payload: &str) -> String {
    format!("https://email.mg.example.org/c/{}", mailgun_data(payload))
}

#[test]
fn mailgun_legacy_built_by_encoding() {
    let payload = format!("a=click&l={}&r=someone%40example.net&h=abc", pct(TARGET));
    assert_decodes(&mailgun(&payload), TARGET);
    let path_payload = format!("/c?r=someone%40example.net&l={}", pct(TARGET));
    assert_decodes(&mailgun(&path_payload), TARGET);
}

#[test]
fn mailgun_shape_that_does_not_decode_is_left_alone() {
    for input in [
        "https://email.example.org/c/not-a-zlib-stream",
        "https://email.example.org/c/%%%",
        &mailgun("a=click&r=someone%40example.net"),
    ] {
        let result = unwrap(input);
        assert_eq!(result.url, input);
        assert!(result.layers.is_empty());
    }
}

fn mandrill_payload(url: &str) -> String {
    let inner = serde_json::json!({"u": 31507467, "v": 1, "url": url, "id": "eaeb81ed"});
    let outer = serde_json::json!({"s": "Ne7LEw8s", "v": 1, "p": inner.to_string()});
    URL_SAFE_NO_PAD.encode(outer.to_string())
}

#[test]
fn mandrill_built_by_encoding() {
    let wrapped = format!(
        "https://mandrillapp.com/track/click/31507467/app.example.com?p={}",
        mandrill_payload(TARGET)
    );
    assert_decodes(&wrapped, TARGET);
}

#[test]
fn proofpoint_v3_around_safe_links_around_google() {
    let inner = google(TARGET);
    let middle = safe_links(&inner);
    let outer = proofpoint_v3(&middle);
    let result = unwrap(&outer);
    assert_eq!(result.layers, vec![middle, inner, TARGET.to_owned()]);
    assert_eq!(result.url, TARGET);
    assert_eq!(result.opaque, None);
}

#[test]
fn opaque_under_a_decodable_wrapper() {
    let mimecast = "https://protect-eu.mimecast.com/s/AbCdEf?domain=App.Example.com";
    let result = unwrap(&safe_links(mimecast));
    assert_eq!(result.layers, vec![mimecast.to_owned()]);
    assert_eq!(result.url, mimecast);
    assert_eq!(result.opaque, Some(Opaque::Mimecast));
    assert_eq!(result.host_hint.as_deref(), Some("app.example.com"));
}

#[test]
fn mimecast_host_hint_only_when_it_reads_as_a_host() {
    for input in [
        "https://protect-au.mimecast.com/s/AbCdEf",
        "https://protect-au.mimecast.com/s/AbCdEf?domain=",
        "https://protect-au.mimecast.com/s/AbCdEf?domain=a%20b%2Fc",
        "https://protect-au.mimecast.com/s/AbCdEf?domain=%ZZ",
    ] {
        let result = unwrap(input);
        assert_eq!(result.opaque, Some(Opaque::Mimecast), "{input}");
        assert_eq!(result.host_hint, None, "{input}");
    }
}

#[test]
fn sendgrid_and_mailchimp_are_opaque() {
    for (input, kind) in [
        (
            "https://u123.ct.sendgrid.net/ls/click?upn=abc-2BdEf",
            Opaque::Sendgrid,
        ),
        (
            "https://url4821.mail.example.com/ls/click?upn=abc",
            Opaque::Sendgrid,
        ),
        (
            "https://url9.example.com/wf/click?upn=abc",
            Opaque::Sendgrid,
        ),
        (
            "https://example.us9.list-manage.com/track/click?u=e94&id=608&e=626",
            Opaque::Mailchimp,
        ),
        (
            "https://x.eu.mimecastprotect.com/s/AbC?domain=example.com",
            Opaque::Mimecast,
        ),
    ] {
        let result = unwrap(input);
        assert_eq!(result.opaque, Some(kind), "{input}");
        assert_eq!(result.url, input);
        assert!(result.layers.is_empty());
    }
}

#[test]
fn stops_after_five_layers() {
    let mut wrapped = TARGET.to_owned();
    let mut expected_layers = Vec::new();
    for _ in 0..MAX_LAYERS + 2 {
        expected_layers.insert(0, wrapped.clone());
        wrapped = google(&wrapped);
    }
    let result = unwrap(&wrapped);
    assert_eq!(result.layers.len(), MAX_LAYERS);
    assert_eq!(result.layers, expected_layers[..MAX_LAYERS]);
    assert_eq!(result.url, expected_layers[MAX_LAYERS - 1]);
    assert_eq!(result.opaque, None);
}

#[test]
fn five_layers_decode_completely() {
    let mut wrapped = TARGET.to_owned();
    for _ in 0..MAX_LAYERS {
        wrapped = safe_links(&wrapped);
    }
    let result = unwrap(&wrapped);
    assert_eq!(result.layers.len(), MAX_LAYERS);
    assert_eq!(result.url, TARGET);
}

#[test]
fn plain_urls_are_not_wrappers() {
    for input in [
        TARGET,
        "https://www.google.com/search?q=x",
        "https://example.com/url?q=https%3A%2F%2Fx.test",
    ] {
        let result = unwrap(input);
        assert_eq!(result.url, input);
        assert!(result.layers.is_empty());
        assert_eq!(result.opaque, None);
    }
}

#[test]
fn look_alike_hosts_are_not_wrappers() {
    let e = pct(TARGET);
    for input in [
        format!("https://nam11.safelinks.protection.outlook.com.evil.test/?url={e}"),
        format!("https://safelinks.protection.outlook.com/?url={e}"),
        format!("https://nam11.notsafelinks.protection.outlook.com/?url={e}"),
        format!("https://nam11.safelinks.protection.outlook.com@evil.test/?url={e}"),
        format!("https://evil.test\\@nam11.safelinks.protection.outlook.com/?url={e}"),
        format!("ftp://nam11.safelinks.protection.outlook.com/?url={e}"),
        format!(
            "https://statics.teams.cdn.office.net.evil.test/evergreen-assets/safelinks/1/atp-safelinks.html?url={e}"
        ),
        format!(
            "https://evil.teams.cdn.office.net/evergreen-assets/safelinks/1/atp-safelinks.html?url={e}"
        ),
        format!("https://www.google.com.evil.test/url?q={e}"),
        format!("https://linkprotect.cudasvc.com.evil.test/url?a={e}"),
        format!(
            "https://protection.sophos.com.evil.test/?u={}",
            STANDARD.encode(TARGET)
        ),
        format!("https://evilclicktime.symantec.com/x?u={e}"),
        format!(
            "https://mandrillapp.com.evil.test/track/click/1/x?p={}",
            mandrill_payload(TARGET)
        ),
        format!(
            "https://emails.example.org/c/{}",
            mailgun_data(&format!("l={e}"))
        ),
        format!(
            "https://x.email.example.org/c/{}",
            mailgun_data(&format!("l={e}"))
        ),
        format!(
            "https://email.example.org/x/{}",
            mailgun_data(&format!("l={e}"))
        ),
        "https://urldefense.com.evil.test/v3/__https://example.com__;!!x$".to_owned(),
        "https://urldefense.proofpoint.com.evil.test/v2/url?u=https-3A__example.com&d=x".to_owned(),
    ] {
        let result = unwrap(&input);
        assert_eq!(result.url, input, "{input}");
        assert!(result.layers.is_empty(), "{input}");
    }
    for input in [
        "https://protect-us.mimecast.com.evil.test/s/abc?domain=x.test",
        "https://evilprotect-us.mimecast.com/s/abc",
        "https://list-manage.com/track/click?u=1",
        "https://urlx12.example.com/ls/click?upn=abc",
        "https://url12.example.com/ls/click?nothing=abc",
        "https://u1.ct.sendgrid.net.evil.test/ls/click?upn=abc",
    ] {
        assert_eq!(unwrap(input).opaque, None, "{input}");
    }
}
