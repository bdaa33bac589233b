//! Forwarded header blocks in every language a client ships, table-driven: one test per
//! language, each building a plain-text forward per client layout (the labels, marker,
//! field order, colons and spacing that client writes in that language) around our own
//! invite link and addresses, and running the real extract stage over it.
//!
//! In: the layouts below (facts from the public fixtures of
//! crisp-oss/email-forward-parser and the clients themselves, not their text). Out: for
//! each layout, the invite link and the original's recipient as invitee; a failure
//! lists every layout that went wrong. The last tests hold the other side: a forward
//! that does not name the recipient's address gives no invitee, never a wrong one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use onbehalf::config::Config;
use onbehalf::extract::extract;

const SENDER: &str = "Engage <invites@engage.example.com>";
const CC: &str = "Tom Becker <tom.becker@partner.test>, Ops <ops@partner.test>";
const SUBJECT: &str = "You're invited to Engage";
const LINK: &str = "https://engage.example.com/invitations/accept?token=Zq7mK2vX9pL4sT8wR1nB5c";
/// Stands for the invitee's address in a layout; each check fills in its own.
const TO: &str = "{to}";

/// How one client writes a forward in one language: the whole plain-text body, with
/// [`TO`] where the original's recipient goes.
struct Layout {
    client: &'static str,
    body: String,
}

fn config() -> Config {
    Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/onbehalf.toml")).unwrap()
}

fn original_body(quote: &str) -> String {
    [
        "Hello, you have been invited to join Partner Workspace on Engage.",
        "",
        &format!("Accept the invitation: {LINK}"),
        "",
        "The Engage team",
    ]
    .iter()
    .map(|line| format!("{quote}{line}").trim_end().to_owned() + "\n")
    .collect()
}

fn note() -> &'static str {
    "Hi support, could you set this up for me? Thanks\n\n"
}

/// Apple Mail (macOS, iOS): marker, blank, From, Subject, Date, To, Cc, all `> `-quoted.
fn apple(marker: &str, [from, subject, date, to, cc]: [&str; 5]) -> Layout {
    let block = format!(
        "> {marker}\n>\n> {from} {SENDER}\n> {subject} {SUBJECT}\n> {date} 2 Nov 2026 10:01:00 \
         CET\n> {to} {TO}\n> {cc} {CC}\n>\n"
    );
    Layout {
        client: "apple-mail",
        body: format!("{}{block}{}", note(), original_body("> ")),
    }
}

/// Gmail: the marker stays English in every UI language, only the sender label is
/// translated; Date, Subject, To, Cc stay English.
fn gmail(from: &str) -> Layout {
    let block = format!(
        "---------- Forwarded message ---------\n{from} {SENDER}\nDate: Mon, 2 Nov 2026 at \
         10:01\nSubject: {SUBJECT}\nTo: <{TO}>\nCc: {CC}\n\n"
    );
    Layout {
        client: "gmail",
        body: format!("{}{block}{}", note(), original_body("")),
    }
}

/// HubSpot: a translated dashed marker, From, Date, Subject, To, Cc.
fn hubspot(marker: &str, [from, date, subject, to, cc]: [&str; 5]) -> Layout {
    let block = format!(
        "---------- {marker} ---------\n{from} {SENDER}\n{date} 2026-11-02 10:01:00 \
         -0400\n{subject} {SUBJECT}\n{to} {TO}\n{cc} {CC}\n\n"
    );
    Layout {
        client: "hubspot",
        body: format!("{}{block}{}", note(), original_body("")),
    }
}

/// New Outlook / Outlook for Mac: no marker, From, Date, To, Cc, Subject, and the body
/// right after the last field without a blank line.
fn new_outlook([from, date, to, cc, subject]: [&str; 5]) -> Layout {
    let block = format!(
        "{from} {SENDER}\n{date} 2. 11. 2026 10:01\n{to} {TO} <{TO}>\n{cc} {CC}\n{subject} \
         {SUBJECT}\n"
    );
    Layout {
        client: "new-outlook",
        body: format!("{}{block}{}", note(), original_body("")),
    }
}

/// Thunderbird inline: marker line, Subject, Date, From, To, Cc, each label followed by
/// a tab (French puts a space before the colon).
fn thunderbird(marker: &str, [subject, date, from, to, cc]: [&str; 5]) -> Layout {
    let block = format!(
        "{marker}\n{subject} \t{SUBJECT}\n{date} \tMon, 2 Nov 2026 10:01:00 \
         +0100\n{from} \t{SENDER}\n{to} \t{TO}\n{cc} \t{CC}\n\n\n\n"
    );
    Layout {
        client: "thunderbird",
        body: format!("{}{block}{}", note(), original_body("")),
    }
}

/// Yahoo's plain text: the marker and every field on one line, each label glued to the
/// previous value; the date ends in a zone (`CET`, `GMT+1`) glued to the Subject label.
fn yahoo(marker: &str, [from, to, cc, sent, subject]: [&str; 5], date: &str) -> Layout {
    let block = format!(
        "   ----- {marker} ----- {from} {SENDER}{to} \"{TO}\" <{TO}>{cc} Tom Becker \
         <tom.becker@partner.test>; Ops <ops@partner.test>{sent} {date}{subject} {SUBJECT}\n"
    );
    Layout {
        client: "yahoo",
        body: format!("{}{block}{}", note(), original_body(" ")),
    }
}

/// Runs extract over a forward per layout; every layout that gives anything but the
/// link and its invitee is listed.
fn check(language: &str, layouts: &[Layout]) {
    let config = config();
    let mut problems = Vec::new();
    for layout in layouts {
        let invitee = format!("{}.{}@partner.test", layout.client, language.to_lowercase());
        let body = layout.body.replace(TO, &invitee);
        let raw = format!(
            "From: Jane Requester <jane.requester@partner.test>\r\nTo: support@corp.example\r\n\
             Subject: Fwd: {SUBJECT}\r\nDate: Tue, 3 Nov 2026 09:00:00 +0100\r\nMessage-ID: \
             <{}.{language}@partner.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; \
             charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}",
            layout.client,
            body.replace('\n', "\r\n")
        );
        match extract(raw.as_bytes(), &config) {
            Ok(invite)
                if invite.invite_url == LINK && invite.invitee.as_deref() == Some(&invitee) => {}
            Ok(invite) => problems.push(format!(
                "{} ({language}): invitee {:?}, link matched: {}",
                layout.client,
                invite.invitee,
                invite.invite_url == LINK
            )),
            Err(rejection) => problems.push(format!(
                "{} ({language}): rejected, {}",
                layout.client, rejection.reason
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn en() {
    let outlook_web = Layout {
        client: "outlook-web",
        body: format!(
            "{}________________________________\nFrom: {SENDER}\nSent: Monday, November 2, 2026 \
             10:01\nTo: {TO} <{TO}>\nCc: {CC}\nSubject: {SUBJECT}\n\n{}",
            note(),
            original_body("")
        ),
    };
    let outlook_2013 = Layout {
        client: "outlook-2013",
        body: format!(
            "{}From: Engage [mailto:invites@engage.example.com]\nSent: 02 November 2026 10:01\n\
             To: {TO}\nCc: Tom Becker [mailto:tom.becker@partner.test]\nSubject: {SUBJECT}\n\n\n\n{}",
            note(),
            original_body("")
        ),
    };
    let ionos = Layout {
        client: "ionos",
        body: format!(
            "{}> ---------- Original Message ----------\n> From: {SENDER}\n> To: \"{TO}\" <{TO}>\n\
             > Date: 11/02/2026 10:01 AM EST\n> Subject: {SUBJECT}\n>  \n{}",
            note(),
            original_body("> ")
        ),
    };
    let mailmate = Layout {
        client: "mailmate",
        body: format!(
            "{}Forwarded message:\n\n> From: {SENDER}\n> To: {TO}\n> Cc: {CC}\n> Subject: \
             {SUBJECT}\n> Date: Mon, 2 Nov 2026 10:01:00 +0000\n>\n{}",
            note(),
            original_body("> ")
        ),
    };
    let missive = Layout {
        client: "missive",
        body: format!(
            "{}---------- Forwarded message ----------\nFrom: Engage <invites@engage.example.com\
             <mailto:invites@engage.example.com>>\nDate: November 2, 2026 at 10:01 AM\nTo: \
             Invitee <{TO}<mailto:{TO}>>\nCc: {CC}\nSubject: {SUBJECT}\n\n{}",
            note(),
            original_body("")
        ),
    };
    check(
        "en",
        &[
            apple(
                "Begin forwarded message:",
                ["From:", "Subject:", "Date:", "To:", "Cc:"],
            ),
            gmail("From:"),
            hubspot(
                "Forwarded message",
                ["From:", "Date:", "Subject:", "To:", "Cc:"],
            ),
            new_outlook(["From:", "Date:", "To:", "Cc:", "Subject:"]),
            thunderbird(
                "-------- Forwarded Message --------",
                ["Subject:", "Date:", "From:", "To:", "CC:"],
            ),
            yahoo(
                "Forwarded Message",
                ["From:", "To:", "Cc:", "Sent:", "Subject:"],
                "Monday, November 2, 2026, 10:01:00 AM GMT+1",
            ),
            outlook_web,
            outlook_2013,
            ionos,
            mailmate,
            missive,
        ],
    );
}

#[test]
fn cs() {
    check(
        "cs",
        &[
            apple(
                "Začátek přeposílané zprávy:",
                ["Od:", "Předmět:", "Datum:", "Komu:", "Kopie:"],
            ),
            gmail("Od:"),
            new_outlook(["Od:", "Datum:", "Komu:", "Kopie:", "Předmět:"]),
            thunderbird(
                "-------- Přeposlaná zpráva --------",
                ["Předmět:", "Datum:", "Od:", "Komu:", "Kopie:"],
            ),
            yahoo(
                "Přeposlaná zpráva",
                ["Od:", "Komu:", "Kopie:", "Datum:", "Předmět:"],
                "pondělí 2. listopadu 2026 10:01:00 SEČ",
            ),
        ],
    );
}

#[test]
fn da() {
    check(
        "da",
        &[
            apple(
                "Start på videresendt besked:",
                ["Fra:", "Emne:", "Dato:", "Til:", "Cc:"],
            ),
            gmail("Fra:"),
            new_outlook(["Fra:", "Dato:", "Til:", "Cc:", "Emne:"]),
            // Thunderbird's Danish build keeps English labels.
            thunderbird(
                "-------- Videresendt meddelelse --------",
                ["Subject:", "Date:", "From:", "To:", "CC:"],
            ),
            yahoo(
                "Videresendt meddelelse",
                ["Fra:", "Til:", "Cc:", "Sendt:", "Emne:"],
                "mandag den 2. november 2026 10.01.00 CET",
            ),
        ],
    );
}

#[test]
fn de() {
    check(
        "de",
        &[
            apple(
                "Anfang der weitergeleiteten Nachricht:",
                ["Von:", "Betreff:", "Datum:", "An:", "Kopie:"],
            ),
            gmail("Von:"),
            hubspot(
                "Weitergeleitete Nachricht",
                ["Von:", "Datum:", "Betreff:", "An:", "Cc:"],
            ),
            new_outlook(["Von:", "Datum:", "An:", "Cc:", "Betreff:"]),
            thunderbird(
                "-------- Weitergeleitete Nachricht --------",
                ["Betreff:", "Datum:", "Von:", "An:", "Kopie (CC):"],
            ),
            yahoo(
                "Weitergeleitete Nachricht",
                ["Von:", "An:", "CC:", "Gesendet:", "Betreff:"],
                "Montag, 2. November 2026, 10:01:00 MEZ",
            ),
        ],
    );
}

#[test]
fn es() {
    check(
        "es",
        &[
            apple(
                "Inicio del mensaje reenviado:",
                ["De:", "Asunto:", "Fecha:", "Para:", "Cc:"],
            ),
            gmail("De:"),
            hubspot(
                "Mensaje reenviado",
                ["De:", "Fecha:", "Asunto:", "A:", "Cc:"],
            ),
            new_outlook(["De:", "Fecha:", "Para:", "CC:", "Asunto:"]),
            thunderbird(
                "-------- Mensaje reenviado --------",
                ["Asunto:", "Fecha:", "De:", "Para:", "CC:"],
            ),
            yahoo(
                "Mensaje reenviado",
                ["De:", "Para:", "CC:", "Enviado:", "Asunto:"],
                "lunes, 2 de noviembre de 2026 10:01:00 CET",
            ),
        ],
    );
}

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
fn fr() {
    check(
        "fr",
        &[
            apple(
                "Début du message réexpédié :",
                ["De:", "Objet:", "Date:", "À:", "Cc:"],
            ),
            gmail("De :"),
            hubspot(
                "Message transféré",
                ["De :", "Date :", "Objet :", "À :", "Cc :"],
            ),
            new_outlook(["De :", "Date :", "À :", "Cc :", "Objet :"]),
            thunderbird(
                "-------- Message transféré --------",
                ["Sujet :", "Date :", "De :", "Pour :", "Copie à :"],
            ),
            yahoo(
                "Message transmis",
                ["De :", "À :", "Cc :", "Envoyé :", "Objet :"],
                "lundi 2 novembre 2026, 10:01:00 UTC+1",
            ),
        ],
    );
}

#[test]
fn hr() {
    check(
        "hr",
        &[
            apple(
                "Započni proslijeđenu poruku:",
                ["Šalje:", "Predmet:", "Datum:", "Prima:", "Cc:"],
            ),
            gmail("Šalje:"),
            thunderbird(
                "-------- Proslijeđena poruka --------",
                ["Naslov:", "Datum:", "Šalje:", "Prima:", "CC:"],
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
fn it() {
    check(
        "it",
        &[
            apple(
                "Inizio messaggio inoltrato:",
                ["Da:", "Oggetto:", "Data:", "A:", "Cc:"],
            ),
            gmail("Da:"),
            hubspot(
                "Messaggio inoltrato",
                ["Da:", "Data:", "Oggetto:", "A:", "Cc:"],
            ),
            new_outlook(["Da:", "Data:", "A:", "Cc:", "Oggetto:"]),
            thunderbird(
                "-------- Messaggio Inoltrato --------",
                ["Oggetto:", "Data:", "Mittente:", "A:", "CC:"],
            ),
            yahoo(
                "Messaggio inoltrato",
                ["Da:", "A:", "Cc:", "Inviato:", "Oggetto:"],
                "lunedì 2 novembre 2026, 10:01:00 CET",
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
fn nl() {
    check(
        "nl",
        &[
            apple(
                "Begin doorgestuurd bericht:",
                ["Van:", "Onderwerp:", "Datum:", "Aan:", "Kopie:"],
            ),
            gmail("Van:"),
            hubspot(
                "Doorgestuurd bericht",
                ["Van:", "Datum:", "Onderwerp:", "Aan:", "Cc:"],
            ),
            new_outlook(["Van:", "Datum:", "Aan:", "CC:", "Onderwerp:"]),
            thunderbird(
                "-------- Doorgestuurd bericht --------",
                ["Onderwerp:", "Datum:", "Van:", "Aan:", "CC:"],
            ),
            yahoo(
                "Doorgestuurd bericht",
                ["Van:", "Aan:", "Cc:", "Verzonden:", "Onderwerp:"],
                "maandag 2 november 2026 10:01:00 CET",
            ),
        ],
    );
}

#[test]
fn no() {
    check(
        "no",
        &[
            apple(
                "Videresendt melding:",
                ["Fra:", "Emne:", "Dato:", "Til:", "Kopi:"],
            ),
            gmail("Fra:"),
            new_outlook(["Fra:", "Dato:", "Til:", "Kopi:", "Emne:"]),
            thunderbird(
                "-------- Videresendt melding --------",
                ["Emne:", "Dato:", "Fra:", "Til:", "CC:"],
            ),
            yahoo(
                "Videresendt melding",
                ["Fra:", "Til:", "Kopi:", "Sendt:", "Emne:"],
                "mandag 2. november 2026, 10:01:00 CET",
            ),
        ],
    );
}

#[test]
fn pl() {
    check(
        "pl",
        &[
            apple(
                "Początek przekazywanej wiadomości:",
                ["Od:", "Temat:", "Data:", "Do:", "Dw:"],
            ),
            gmail("Od:"),
            hubspot(
                "Wiadomość przesłana dalej",
                ["Od:", "Data:", "Temat:", "Do:", "DW:"],
            ),
            new_outlook(["Od:", "Data:", "Do:", "DW:", "Temat:"]),
            // Thunderbird's Polish marker has three dashes.
            thunderbird(
                "--- Treść przekazanej wiadomości ---",
                ["Temat:", "Data:", "Nadawca:", "Adresat:", "Kopia:"],
            ),
            // Yahoo writes the Polish Cc label without a colon.
            yahoo(
                "Przekazana wiadomość",
                ["Od:", "Do:", "Dw", "Wysłano:", "Temat:"],
                "poniedziałek, 2 listopada 2026, 10:01:00 CET",
            ),
        ],
    );
}

#[test]
fn pt() {
    check(
        "pt",
        &[
            apple(
                "Início da mensagem reencaminhada:",
                ["De:", "Assunto:", "Data:", "Para:", "Cc:"],
            ),
            gmail("De:"),
            new_outlook(["De:", "Data:", "Para:", "CC:", "Assunto:"]),
            thunderbird(
                "-------- Mensagem reencaminhada --------",
                ["Assunto:", "Data:", "De:", "Para:", "CC:"],
            ),
            // Yahoo writes the Portuguese Subject label without a colon.
            yahoo(
                "Mensagem reencaminhada",
                ["De:", "Para:", "Cc:", "Enviado:", "Assunto"],
                "segunda-feira, 2 de novembro de 2026, 10:01:00 CET",
            ),
        ],
    );
}

#[test]
fn pt_br() {
    check(
        "pt-BR",
        &[
            apple(
                "Início da mensagem encaminhada:",
                ["De:", "Assunto:", "Data:", "Para:", "Cc:"],
            ),
            gmail("De:"),
            hubspot(
                "Mensagem encaminhada",
                ["De:", "Data:", "Assunto:", "Para:", "Cc:"],
            ),
            new_outlook(["De:", "Data:", "Para:", "Cc:", "Assunto:"]),
            thunderbird(
                "-------- Mensagem encaminhada --------",
                ["Assunto:", "Data:", "De:", "Para:", "CC:"],
            ),
            yahoo(
                "Mensagem encaminhada",
                ["De:", "Para:", "Cc:", "Enviado:", "Assunto:"],
                "segunda-feira, 2 de novembro de 2026 10:01:00 GMT+1",
            ),
        ],
    );
}

#[test]
fn ro() {
    check(
        "ro",
        &[
            apple(
                "Începe mesajul redirecționat:",
                [
                    "Expeditorul:",
                    "Subiectul:",
                    "Dată:",
                    "Destinatarul:",
                    "Cc:",
                ],
            ),
            gmail("De la:"),
            thunderbird(
                "-------- Mesaj redirecționat --------",
                ["Subiect:", "Dată:", "de la:", "Către:", "CC:"],
            ),
            yahoo(
                "Mesaj redirecționat",
                ["De la:", "Către:", "Cc:", "Trimis:", "Subiect:"],
                "luni, 2 noiembrie 2026, 10:01:00 CET",
            ),
        ],
    );
}

#[test]
fn ru() {
    check(
        "ru",
        &[
            apple(
                "Начало переадресованного сообщения:",
                ["Отправитель:", "Тема:", "Дата:", "Кому:", "Копия:"],
            ),
            gmail("От:"),
            new_outlook(["От:", "Дата:", "Кому:", "Копия:", "Тема:"]),
            thunderbird(
                "-------- Перенаправленное сообщение --------",
                ["Тема:", "Дата:", "От:", "Кому:", "Копия:"],
            ),
            yahoo(
                "Пересылаемое сообщение",
                ["От:", "Кому:", "Копия:", "Отправлено:", "Тема:"],
                "понедельник, 2 ноября 2026 г., 10:01:00 GMT+1",
            ),
        ],
    );
}

#[test]
fn sk() {
    check(
        "sk",
        &[
            apple(
                "Začiatok preposlanej správy:",
                ["Od:", "Predmet:", "Dátum:", "Pre:", "Cc:"],
            ),
            gmail("Od:"),
            new_outlook(["Od:", "Dátum:", "Komu:", "Kópia:", "Predmet:"]),
            thunderbird(
                "-------- Preposlaná správa --- Forwarded Message --------",
                ["Predmet:", "Dátum:", "Od:", "Pre:", "Kópia:"],
            ),
            yahoo(
                "Preposlaná správa",
                ["Od:", "Komu:", "Kópia:", "Odoslané:", "Predmet:"],
                "pondelok 2. novembra 2026, 10:01:00 SEČ",
            ),
        ],
    );
}

#[test]
fn sv() {
    check(
        "sv",
        &[
            apple(
                "Vidarebefordrat mejl:",
                ["Från:", "Ämne:", "Datum:", "Till:", "Kopia:"],
            ),
            gmail("Från:"),
            hubspot(
                "Vidarebefordrat meddelande",
                ["Från:", "Datum:", "Ämne:", "Till:", "Kopia:"],
            ),
            new_outlook(["Från:", "Datum:", "Till:", "Kopia:", "Ämne:"]),
            thunderbird(
                "-------- Vidarebefordrat meddelande --------",
                ["Ämne:", "Datum:", "Från:", "Till:", "Kopia:"],
            ),
            yahoo(
                "Vidarebefordrat meddelande",
                ["Från:", "Till:", "Kopia:", "Skickat:", "Ämne:"],
                "måndag 2 november 2026 10:01:00 CET",
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
fn uk() {
    check(
        "uk",
        &[
            apple(
                "Початок листа, що пересилається:",
                ["Від кого:", "Тема:", "Дата:", "Кому:", "Копія:"],
            ),
            gmail("Від:"),
            thunderbird(
                "-------- Переслане повідомлення --------",
                ["Тема:", "Дата:", "Від:", "Кому:", "CC:"],
            ),
            yahoo(
                "Перенаправлене повідомлення",
                ["Від:", "Кому:", "Копія:", "Відправлено:", "Тема:"],
                "понеділок, 2 листопада 2026 р., 10:01:00 GMT+1",
            ),
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

/// Forwards that do not name the original's recipient address: no invitee, and never
/// the support mailbox or a Cc.
#[test]
fn no_recipient_address_gives_no_invitee() {
    let layouts = [
        // Outlook 2019 for Mac quotes "On …, … wrote:" with no header block.
        Layout {
            client: "outlook-2019",
            body: format!(
                "{}On 02/11/2026 10:01, \"Engage\" <invites@engage.example.com> wrote:\n\n{}",
                note(),
                original_body("    ")
            ),
        },
        // The original's To is a name only.
        Layout {
            client: "outlook-plain",
            body: format!(
                "{}-----Original Message-----\nFrom: Engage\nSent: 02 November 2026 10:01\nTo: \
                 Invitee Name\nSubject: {SUBJECT}\n\n{}",
                note(),
                original_body("")
            ),
        },
        // The invite was sent Bcc: the block has no To, only a Cc.
        Layout {
            client: "bcc",
            body: format!(
                "{}---------- Forwarded message ---------\nFrom: {SENDER}\nDate: Mon, 2 Nov \
                 2026\nSubject: {SUBJECT}\nCc: {CC}\n\n{}",
                note(),
                original_body("")
            ),
        },
    ];
    let config = config();
    for layout in layouts {
        let raw = format!(
            "From: Jane Requester <jane.requester@partner.test>\r\nTo: support@corp.example\r\n\
             Subject: Fwd: x\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
             \r\n{}",
            layout.body.replace('\n', "\r\n")
        );
        let invite = extract(raw.as_bytes(), &config).expect(layout.client);
        assert_eq!(invite.invite_url, LINK, "{}", layout.client);
        assert_eq!(invite.invitee, None, "{}", layout.client);
    }
}
