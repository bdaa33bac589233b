"""Forwards in the languages clients ship beyond English: one sample per client and a
language whose labels differ from the English ones (translated From and To labels, a
space before the colon, Yahoo's run-together line in another locale).

In: nothing. Out: `build()`, a list of Sample whose expected outcome is "invite" with
the original's recipient as invitee. Built after every other sample so that adding
these left the earlier samples byte-identical (they share one seeded generator).
"""

import clients_other as other
import clients_web as web
from forward import Fwd
from mime import finish
from originals import Person, engage_invite, engage_url
from samples_common import IDS, Sample, at, invite

ids = IDS


def _forward(person: Person, note: list[str], relay: tuple[str, str]) -> tuple[str, Fwd]:
    url = engage_url(ids.token())
    orig = engage_invite(ids, person, url, at(3, 9, 12, 33))
    return url, Fwd(ids, person, at(3, 11, 20, 5, 1), note, [orig], relay=relay)


GOOGLE = ("mail-wr1-f44.google.com", "203.0.113.44")
OUTLOOK = ("mail-db8eur05on2101.outbound.protection.outlook.com", "198.51.100.101")
PARTNER = ("smtp.partner.test", "203.0.113.61")
YAHOO = ("sonic302-22.consmr.mail.ir2.yahoo.test", "198.51.100.22")


def one(file: str, client, relay: tuple[str, str], person: Person, note: str, about: str) -> Sample:
    """`client(fwd)` builds the message; the original went to `person`, who forwards it."""
    url, f = _forward(person, [note], relay)
    return Sample(file, finish(client(f)), invite(url, person.addr, person.addr), about)


def build() -> list[Sample]:
    return [
        one("gmail-web-tr.eml", lambda f: web.gmail(f, lang="tr"), GOOGLE,
            Person("Ayşe Yılmaz", "ayse.yilmaz@ortak.test"),
            "Merhaba, davet bağlantısı açılmıyor. Hesabımı oluşturabilir misiniz?",
            "Gmail web in Turkish: `Gönderen:` in the gmail_attr, the rest in English."),
        one("gmail-web-et.eml", lambda f: web.gmail(f, lang="et"), GOOGLE,
            Person("Kadri Tamm", "kadri.tamm@partner-ee.test"),
            "Tere, kutse link ei tööta. Palun looge mulle konto.",
            "Gmail web in Estonian: `Saatja:` in the gmail_attr, the rest in English."),
        one("new-outlook-hu.eml", lambda f: web.owa(f, lang="hu"), OUTLOOK,
            Person("Kovács Zsófia", "kovacs.zsofia@partner-hu.test"),
            "Üdvözlöm! A meghívó linkje nem működik. Kérem, hozzák létre a fiókomat.",
            "New Outlook in Hungarian: Feladó/Dátum/Címzett/Tárgy."),
        one("new-outlook-fi.eml", lambda f: web.owa(f, lang="fi"), OUTLOOK,
            Person("Mikko Virtanen", "mikko.virtanen@kumppani.test"),
            "Hei, kutsulinkki ei toimi. Voisitteko luoda tilini?",
            "New Outlook in Finnish: Lähettäjä/Päivämäärä/Vastaanottaja/Aihe."),
        one("thunderbird-inline-fr.eml", lambda f: other.thunderbird_inline(f, "fr"), PARTNER,
            Person("Claire Dubois", "claire.dubois@partenaire.test"),
            "Bonjour, le lien d'invitation ne marche pas. Pouvez-vous créer mon compte ?",
            "Thunderbird inline in French: `-------- Message transféré --------`, `Sujet :`/`De :`/"
            "`Pour :` with a space before the colon and a tab after it."),
        one("thunderbird-inline-pl.eml", lambda f: other.thunderbird_inline(f, "pl"), PARTNER,
            Person("Piotr Nowak", "piotr.nowak@partner-pl.test"),
            "Dzień dobry, link z zaproszenia nie działa. Proszę o założenie konta.",
            "Thunderbird inline in Polish: `--- Treść przekazanej wiadomości ---`, Temat/Data/Nadawca/Adresat."),
        one("thunderbird-inline-ro.eml", lambda f: other.thunderbird_inline(f, "ro"), PARTNER,
            Person("Ioana Popescu", "ioana.popescu@partener.test"),
            "Bună ziua, linkul din invitație nu funcționează. Vă rog să îmi creați contul.",
            "Thunderbird inline in Romanian: `-------- Mesaj redirecționat --------`, Subiect/Dată/`de la`/Către."),
        one("apple-mail-ios-ru.eml", lambda f: other.apple_ios(f, "ru"), PARTNER,
            Person("Ольга Иванова", "olga.ivanova@partner-ru.test"),
            "Здравствуйте! Ссылка в приглашении не открывается. Создайте, пожалуйста, мой аккаунт.",
            "Apple Mail on iOS in Russian: `Начало переадресованного сообщения:`, Отправитель/Тема/Дата/Кому."),
        one("apple-mail-ios-uk.eml", lambda f: other.apple_ios(f, "uk"), PARTNER,
            Person("Олена Шевченко", "olena.shevchenko@partner-ua.test"),
            "Добрий день! Посилання із запрошення не працює. Створіть, будь ласка, мій обліковий запис.",
            "Apple Mail on iOS in Ukrainian: `Початок листа, що пересилається:`, `Від кого`/Тема/Дата/Кому."),
        one("apple-mail-ios-tr.eml", lambda f: other.apple_ios(f, "tr"), PARTNER,
            Person("Mehmet Demir", "mehmet.demir@ortak.test"),
            "Merhaba, davetiye bağlantısı çalışmıyor. Hesabımı açar mısınız?",
            "Apple Mail on iOS in Turkish: `İleti başlangıcı:`, Kimden/Konu/Tarih/Kime."),
        one("yahoo-fi.eml", lambda f: web.yahoo(f, "fi"), YAHOO,
            Person("Aino Korhonen", "aino.korhonen@yahoo.test"),
            "Hei, kutsun linkki ei toimi. Voitteko luoda tilini?",
            "Yahoo Mail web in Finnish: the text part's marker and Lähettäjä/Vastaanottaja/Lähetetty/Aihe run "
            "together on one line, the Aihe label glued to the date's `UTC+1`."),
        one("yahoo-cs.eml", lambda f: web.yahoo(f, "cs"), YAHOO,
            Person("Jana Nováková", "jana.novakova@yahoo.test"),
            "Dobrý den, odkaz v pozvánce nefunguje. Můžete mi založit účet?",
            "Yahoo Mail web in Czech: the text part's marker and Od/Komu/Datum/Předmět run together on one line, "
            "the Předmět label glued to the date's `SEČ`."),
    ]
