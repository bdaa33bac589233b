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


def gmail_web_tr() -> Sample:
    ayse = Person("Ayşe Yılmaz", "ayse.yilmaz@ortak.test")
    url, f = _forward(ayse, ["Merhaba, davet bağlantısı açılmıyor. Hesabımı oluşturabilir misiniz?"],
                      ("mail-wr1-f44.google.com", "203.0.113.44"))
    return Sample("gmail-web-tr.eml", finish(web.gmail(f, lang="tr")), invite(url, ayse.addr, ayse.addr),
                  "Gmail web in Turkish: `Gönderen:` in the gmail_attr, the rest in English.")


def gmail_web_et() -> Sample:
    kadri = Person("Kadri Tamm", "kadri.tamm@partner-ee.test")
    url, f = _forward(kadri, ["Tere, kutse link ei tööta. Palun looge mulle konto."],
                      ("mail-ed1-f45.google.com", "203.0.113.45"))
    return Sample("gmail-web-et.eml", finish(web.gmail(f, lang="et")), invite(url, kadri.addr, kadri.addr),
                  "Gmail web in Estonian: `Saatja:` in the gmail_attr, the rest in English.")


def new_outlook_hu() -> Sample:
    zsofia = Person("Kovács Zsófia", "kovacs.zsofia@partner-hu.test")
    url, f = _forward(zsofia, ["Üdvözlöm! A meghívó linkje nem működik. Kérem, hozzák létre a fiókomat."],
                      ("mail-db8eur05on2101.outbound.protection.outlook.com", "198.51.100.101"))
    return Sample("new-outlook-hu.eml", finish(web.owa(f, lang="hu")), invite(url, zsofia.addr, zsofia.addr),
                  "New Outlook in Hungarian: Feladó/Dátum/Címzett/Tárgy.")


def new_outlook_fi() -> Sample:
    mikko = Person("Mikko Virtanen", "mikko.virtanen@kumppani.test")
    url, f = _forward(mikko, ["Hei, kutsulinkki ei toimi. Voisitteko luoda tilini?"],
                      ("mail-he1eur05on2102.outbound.protection.outlook.com", "198.51.100.102"))
    return Sample("new-outlook-fi.eml", finish(web.owa(f, lang="fi")), invite(url, mikko.addr, mikko.addr),
                  "New Outlook in Finnish: Lähettäjä/Päivämäärä/Vastaanottaja/Aihe.")


def thunderbird_inline(lang: str, person: Person, note: str, about: str) -> Sample:
    url, f = _forward(person, [note], ("smtp.partner.test", "203.0.113.61"))
    return Sample(f"thunderbird-inline-{lang}.eml", finish(other.thunderbird_inline(f, lang)),
                  invite(url, person.addr, person.addr), about)


def apple_ios(lang: str, person: Person, note: str, about: str) -> Sample:
    url, f = _forward(person, [note], ("smtp.partner.test", "203.0.113.62"))
    return Sample(f"apple-mail-ios-{lang}.eml", finish(other.apple_ios(f, lang)),
                  invite(url, person.addr, person.addr), about)


def yahoo(lang: str, person: Person, note: str, about: str) -> Sample:
    url, f = _forward(person, [note], ("sonic302-22.consmr.mail.ir2.yahoo.test", "198.51.100.22"))
    return Sample(f"yahoo-{lang}.eml", finish(web.yahoo(f, lang)), invite(url, person.addr, person.addr), about)


def build() -> list[Sample]:
    return [
        gmail_web_tr(), gmail_web_et(), new_outlook_hu(), new_outlook_fi(),
        thunderbird_inline("fr", Person("Claire Dubois", "claire.dubois@partenaire.test"),
                           "Bonjour, le lien d'invitation ne marche pas. Pouvez-vous créer mon compte ?",
                           "Thunderbird inline in French: `-------- Message transféré --------`, `Sujet :`/`De :`/"
                           "`Pour :` with a space before the colon and a tab after it."),
        thunderbird_inline("pl", Person("Piotr Nowak", "piotr.nowak@partner-pl.test"),
                           "Dzień dobry, link z zaproszenia nie działa. Proszę o założenie konta.",
                           "Thunderbird inline in Polish: `--- Treść przekazanej wiadomości ---`, Temat/Data/"
                           "Nadawca/Adresat."),
        thunderbird_inline("ro", Person("Ioana Popescu", "ioana.popescu@partener.test"),
                           "Bună ziua, linkul din invitație nu funcționează. Vă rog să îmi creați contul.",
                           "Thunderbird inline in Romanian: `-------- Mesaj redirecționat --------`, Subiect/Dată/"
                           "`de la`/Către."),
        apple_ios("ru", Person("Ольга Иванова", "olga.ivanova@partner-ru.test"),
                  "Здравствуйте! Ссылка в приглашении не открывается. Создайте, пожалуйста, мой аккаунт.",
                  "Apple Mail on iOS in Russian: `Начало переадресованного сообщения:`, Отправитель/Тема/Дата/Кому."),
        apple_ios("uk", Person("Олена Шевченко", "olena.shevchenko@partner-ua.test"),
                  "Добрий день! Посилання із запрошення не працює. Створіть, будь ласка, мій обліковий запис.",
                  "Apple Mail on iOS in Ukrainian: `Початок листа, що пересилається:`, `Від кого`/Тема/Дата/Кому."),
        apple_ios("tr", Person("Mehmet Demir", "mehmet.demir@ortak.test"),
                  "Merhaba, davetiye bağlantısı çalışmıyor. Hesabımı açar mısınız?",
                  "Apple Mail on iOS in Turkish: `İleti başlangıcı:`, Kimden/Konu/Tarih/Kime."),
        yahoo("fi", Person("Aino Korhonen", "aino.korhonen@yahoo.test"),
              "Hei, kutsun linkki ei toimi. Voitteko luoda tilini?",
              "Yahoo Mail web in Finnish: the text part's marker and Lähettäjä/Vastaanottaja/Lähetetty/Aihe run "
              "together on one line, the Aihe label glued to the date's `UTC+1`."),
        yahoo("cs", Person("Jana Nováková", "jana.novakova@yahoo.test"),
              "Dobrý den, odkaz v pozvánce nefunguje. Můžete mi založit účet?",
              "Yahoo Mail web in Czech: the text part's marker and Od/Komu/Datum/Předmět run together on one line, "
              "the Předmět label glued to the date's `SEČ`."),
    ]
