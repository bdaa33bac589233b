//! Estonian, Finnish, Hungarian, Turkish, Japanese, Chinese (simplified, traditional), Korean.

use super::{apple, check, gmail, hubspot, new_outlook, thunderbird, yahoo};

#[test]
fn et() {
    check("et", &[gmail("Saatja:")]);
}

#[test]
fn fi() {
    check(
        "fi",
        &[
            apple(
                "Välitetty viesti alkaa:",
                [
                    "Lähettäjä:",
                    "Aihe:",
                    "Päivämäärä:",
                    "Vastaanottaja:",
                    "Kopio:",
                ],
            ),
            gmail("Lähettäjä:"),
            hubspot(
                "Edelleenlähetetty viesti",
                [
                    "Lähettäjä:",
                    "Päivämäärä:",
                    "Aihe:",
                    "Vastaanottaja:",
                    "Kopio:",
                ],
            ),
            new_outlook([
                "Lähettäjä:",
                "Päivämäärä:",
                "Vastaanottaja:",
                "Kopio:",
                "Aihe:",
            ]),
            thunderbird(
                "-------- Välitetty viesti / Fwd.Msg --------",
                ["Aihe:", "Päiväys:", "Lähettäjä:", "Vastaanottaja:", "CC:"],
            ),
            yahoo(
                "Edelleenlähetetty viesti",
                [
                    "Lähettäjä:",
                    "Vastaanottaja:",
                    "Kopio:",
                    "Lähetetty:",
                    "Aihe:",
                ],
                "maanantaina 2. marraskuuta 2026 klo 10.01.00 UTC+1",
            ),
        ],
    );
}

#[test]
fn hu() {
    check(
        "hu",
        &[
            apple(
                "Továbbított levél kezdete:",
                ["Feladó:", "Tárgy:", "Dátum:", "Címzett:", "Másolat:"],
            ),
            gmail("Feladó:"),
            new_outlook(["Feladó:", "Dátum:", "Címzett:", "Másolatot kap:", "Tárgy:"]),
            thunderbird(
                "-------- Továbbított üzenet --------",
                ["Tárgy:", "Dátum:", "Feladó:", "Címzett:", "CC:"],
            ),
            yahoo(
                "Továbbított üzenet",
                ["Feladó:", "Címzett:", "Másolat:", "Elküldve:", "Tárgy:"],
                "2026. november 2., hétfő 10:01:00 CET",
            ),
        ],
    );
}

#[test]
fn tr() {
    check(
        "tr",
        &[
            apple(
                "İleti başlangıcı:",
                ["Kimden:", "Konu:", "Tarih:", "Kime:", "Bilgi:"],
            ),
            gmail("Gönderen:"),
            new_outlook(["Kimden:", "Tarih:", "Kime:", "Bilgi:", "Konu:"]),
            thunderbird(
                "-------- İletilen İleti --------",
                ["Konu:", "Tarih:", "Kimden:", "Kime:", "CC:"],
            ),
            yahoo(
                "İletilmiş Mesaj",
                ["Kimden:", "Kime:", "Cc:", "Gönderilen:", "Konu:"],
                "2 Kasım 2026 Pazartesi 10:01:00 GMT+1",
            ),
        ],
    );
}

#[test]
fn ja() {
    check(
        "ja",
        &[
            hubspot(
                "メッセージを転送",
                ["送信元：", "日付：", "件名：", "送信先：", "CC："],
            ),
            new_outlook(["差出人:", "日付:", "宛先:", "CC:", "件名:"]),
        ],
    );
}

#[test]
fn zh_cn() {
    check(
        "zh-CN",
        &[new_outlook([
            "发件人:",
            "日期:",
            "收件人:",
            "抄送:",
            "主题:",
        ])],
    );
}

#[test]
fn zh_tw() {
    check(
        "zh-TW",
        &[new_outlook([
            "寄件者:",
            "寄件日期:",
            "收件者:",
            "副本:",
            "主旨:",
        ])],
    );
}

#[test]
fn ko() {
    check(
        "ko",
        &[new_outlook([
            "보낸 사람:",
            "날짜:",
            "받는 사람:",
            "참조:",
            "제목:",
        ])],
    );
}
