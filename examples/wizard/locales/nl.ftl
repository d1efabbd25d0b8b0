# De eigen teksten van het terminalvoorbeeld (de berichten van de crate komen uit
# sspr::locale).
cli-leave = Typ stoppen bij een vraag om te stoppen.
cli-goodbye = Tot ziens.
cli-input-ended = De invoer is afgelopen: tot ziens.
cli-start-again = Druk op Enter om opnieuw te beginnen.
cli-account-type = Hebt u geen toegang tot uw account? Wat voor account is het?
    1) Werk- of schoolaccount
    2) Persoonlijk account
cli-type-1-or-2 = Typ 1 of 2.
cli-challenge-prompt = Typ de tekens, of: { $other } (wisselen) · nieuw (een andere) · stoppen
cli-already-kind = Dit is al de controle met { $kind }.
cli-challenge-shown = { $kind ->
    [image] De afbeelding: { $path } ({ $kb } KB). Open hem en typ de tekens die u ziet.
   *[audio] Het geluidsfragment: { $path } ({ $kb } KB). Speel het af en typ de cijfers die u hoort (als cijfers of als woorden).
}
cli-challenge-not-written = De controle kon niet worden opgeslagen: typ { $other } of nieuw.
cli-user-id = Gebruikers-id (bijvoorbeeld jan.jansen@contoso.nl):
cli-where-code = Waar moet de code naartoe? Typ het nummer.
cli-type-number = Typ een van de getoonde nummers.
cli-prove = Bewijs dat het uw account is: verificatie { $step } van { $required }.
cli-verified = (geverifieerd ✔)
cli-code-prompt = Typ de code, of: opnieuw · terug (andere methode) · stoppen
cli-code-sent-to = Er is een code verzonden naar { $to }.
cli-code-sent-concealed = Als dit account het wachtwoord opnieuw kan instellen, is er een code verzonden.
cli-code-works = De code werkt tot { $until }; { $attempts_left ->
    [one] nog 1 poging.
   *[other] nog { $attempts_left } pogingen.
}
cli-choose-password = Stel uw nieuwe wachtwoord in voor { $user }: { $min } tot { $max } tekens; een paar ongewone woorden werkt goed.
cli-shows-typing = (Dit voorbeeld toont wat u typt; een echte toepassing verbergt het.)
cli-new-password = Nieuw wachtwoord:
cli-again = Typ het nogmaals:
cli-checking = Controleren (een toegestaan wachtwoord wordt met Argon2id gehasht)...
cli-completed = Uw wachtwoord is gewijzigd. Meld u er voortaan mee aan; de toepassing beëindigt uw andere sessies.
cli-image = afbeelding
cli-audio = audio
