//! Germanic languages: Danish, German, Dutch, Norwegian, Swedish.

use super::{apple, check, gmail, hubspot, new_outlook, thunderbird, yahoo};

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
