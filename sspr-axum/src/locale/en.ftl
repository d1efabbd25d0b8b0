# The pages of sspr-axum, in English. The crate's own messages (refusals, lock reasons,
# endings) come from sspr's texts; these are the pages' words around them.

## The frame of every page
language-name = English
page-site = Password reset
# The page's title, then the site's name.
page-title = { $title } – Password reset
page-title-error = Error: { $title }
page-language-switch = Language
page-error-summary = There is a problem
page-error-prefix = Error:{" "}
page-next = Next

## Can't access your account?
page-account-title = Can't access your account?
page-account-legend = Which kind of account do you need help with?
page-account-work = Work or school account
page-account-work-hint = An account your organisation gave you
page-account-personal = Personal account
page-account-personal-hint = An account you created yourself

## User ID and challenge
page-identify-title = Who are you?
page-identify-intro-image = To reset your password, type your user ID and the characters of the picture.
page-identify-intro-audio = To reset your password, type your user ID and the digits of the audio clip.
page-user-id = User ID
page-user-id-hint = For example name@organisation.example
page-answer-image = Characters in the picture
page-answer-image-hint = Type the { $length } letters and digits you see; capitals or not, either works.
page-answer-audio = Digits in the audio clip
page-answer-audio-hint = Type the { $length } digits you hear, as numbers or as words.
page-picture-alt = A picture of { $length } characters. Type them in the box below. If you cannot make them out, choose “Listen to an audio clip instead” or “Show another picture”.
page-audio-help = Play the clip and type the { $length } digits you hear. The clip has other voices behind the digits: listen for the numbers.
page-audio-download = Download the audio clip
page-audio-download-wav = Download the audio clip (WAV)
page-audio-keys = In the box below, press Ctrl on its own to play or pause the clip.
page-switch-to-audio = Listen to an audio clip instead
page-switch-to-picture = Show a picture instead
page-new-picture = Show another picture
page-new-clip = Play another clip

## Choose a contact method
page-method-title = Choose how to get a code
page-method-progress = This account needs { $required } verifications. This is number { $current } of { $required }.
page-method-legend = Where should we send a code?
page-method-used = Already verified
page-method-send = Send code

## The code
page-verify-title = Enter the code
page-verify-sent-to = We sent a code by { $to }.
page-verify-sent-maybe = If this account can reset its password, we sent a code to the first contact method registered for it. It can take a minute to arrive.
page-verify-deadline = The code works until { $time }.
page-code = Code
page-code-hint = { $digits } digits
page-verify-submit = Verify
page-resend = Send a new code
page-another-method = Use another contact method

## The new password
page-password-title = Choose a new password
page-password-for = For { $user }.
page-new-password = New password
page-new-password-hint = At least { $min } characters. A few uncommon words work well; do not use your user ID or a password you use elsewhere.
page-confirm = Type the new password again
page-password-submit = Change password

## Endings
page-start-again = Start again
page-completed-title = Your password was changed
page-completed-when = The password of { $user } was changed at { $time }.
page-completed-methods = You proved it was you with: { $methods }.
page-completed-and = { " " }and{ " " }
page-completed-notice = We sent a message to your contact methods to tell you. Use the new password everywhere you sign in.
page-sign-in-new = Sign in with your new password
page-ask-admin-title = Ask your admin to reset your password
page-ask-admin-why = You can't reset this password yourself: self-service password reset is not available for this account.
page-ask-admin-what = What to ask your admin
page-ask-admin-ask = Ask your organisation's admin or help desk to reset your password. Tell them:
page-ask-admin-user-id = your user ID;
page-ask-admin-not-allowed = that self-service password reset did not let you reset it.
page-ask-admin-temporary = They can give you a temporary password, which you change the next time you sign in. Your admin can also turn on self-service reset for your account.
page-back-to-sign-in = Back to sign-in
page-locked-title = Password reset locked
page-locked-until = For your security, this account can't reset its password until { $time }. Try again then, or ask your admin to reset it.
page-locked-start-again = You can start again with a new password reset.
page-expired-title = This password reset expired
page-expired-text = A password reset must be finished within a few minutes, and this one took longer. Nothing was changed.
page-personal-title = This is a personal account
page-personal-text = This page resets the passwords of work and school accounts only. A personal account is recovered by its own provider.
page-personal-recover = Recover your personal account
page-personal-elsewhere = Go to the sign-in page of the service where you created the account and use its “forgot password” link.
page-personal-work-after-all = It's a work or school account after all

## What went wrong
page-continue = Continue your password reset
page-out-of-date-title = This page is out of date
page-out-of-date-text = You went back, or sent this page twice, and the reset has moved on since. Nothing was sent again. Your password reset is still open.
page-out-of-date-continue = Continue where you are
page-no-flow-title = This password reset is no longer open
page-no-flow-text = It was finished, it expired, or it was started in another window. Nothing was changed.
page-forbidden-title = This form could not be accepted
page-forbidden-text = This form did not come from this page, or it is from an earlier visit. Nothing was changed.
page-bad-request-title = This form could not be read
page-bad-request-text = The form was not one of this service's forms. Nothing was changed.
page-too-large-title = Too much was sent
page-too-large-text = What was sent is far longer than anything this service needs. Nothing was changed.
page-headers-too-large-title = The request is too large
page-headers-too-large-text = The request carried more than this service accepts (too many or too large cookies, for instance).
page-too-many-title = Too many attempts
page-too-many-text = { $seconds ->
    [0] There were too many attempts from your network. Wait a second and try again.
    [1] There were too many attempts from your network. Wait a second and try again.
   *[other] There were too many attempts from your network. Wait { $seconds } seconds and try again.
}
page-too-many-minutes = There were too many attempts from your network. Wait { $minutes } minutes and try again.
page-busy-title = The service is busy
page-busy-text = Too many password resets are in progress. Try again in a few minutes.
page-unavailable-title = The service is unavailable
page-unavailable-text = Something behind this service did not answer. Nothing was changed: try again in a minute.
page-try-again = Try again
page-not-found-title = Page not found
page-not-found-text = There is no page at this address.

## The request for a new global admin
page-ask-admin-left = If your global admin has left
page-ask-admin-left-text = When your organisation no longer has a global admin, nobody there can reset passwords. Support can make someone else global admin once they know who you are and which company this is.
page-support-link = Ask support for a new global admin
page-support-title = Ask for a new global admin
page-support-intro = Your organisation's global admin has left or changed roles, and nobody else can manage its accounts. Tell support who you are and which organisation this is: they will contact you to check it before they make someone global admin.
page-support-name = Your name
page-support-email = Email address
page-support-email-hint = Where support can reach you: not an address of the organisation's accounts if you cannot sign in to it.
page-support-phone = Phone number
page-support-company = Company name
page-support-organisation = Organisation domain
page-support-organisation-hint = For example contoso.example
page-support-explanation = What happened
page-support-explanation-hint = When the global admin left, and who should take over.
page-support-submit = Send the request
page-support-filed-title = Your request was sent
page-support-filed-ticket = Your ticket: { $ticket }
page-support-filed-next = Support will contact you to check who you are and your company's details. Keep the ticket reference at hand for when they do.
page-support-filed-back = Back to the start

## A reset link from an admin
page-link-title = Set a new password
page-link-intro = Your admin sent you this link to set a new password. It works once. Type your user ID and choose a new password.
page-link-password-hint = A few uncommon words work well; do not use your user ID or a password you use elsewhere.

## "Contact your administrator"
page-ask-admin-from-here = Ask your admins from here
page-contact-link = Ask my admins to reset my password
page-contact-title = Ask your admins to reset your password
page-contact-intro = Type your user ID: the admins of your organisation who may reset your password get a message from us. They reach you the way they always do.
page-contact-submit = Send the request
page-contact-sent-title = Your request was sent
page-contact-sent-text = If this account exists and an admin of your organisation may reset its password, they got a message from us. Wait for them to reach you; there is no need to ask again.

## Change at next sign-in (an admin's temporary password)
page-change-title = Change your password
page-change-intro = Your admin reset your password to a temporary one. Choose your own now: type your user ID, the temporary password, and your new password twice.
page-change-temporary = Temporary password

## Registering contact methods
page-register-title = Register your contact methods
page-register-intro = A code to reset your password only goes to a method you registered here. Sign in with your password; we send a code to a method you already have, to prove it is you, and then one to the new method, to prove it reaches you.
page-register-password = Password
page-register-action = What do you want to do?
page-register-add = Add a method
page-register-confirm = Confirm my methods are still right
page-register-confirm-hint = We ask every few months: a code goes to your first method.
page-register-kind = Kind of method (when you add one)
page-register-address = Phone number or email address (when you add one)
page-register-address-hint = For example +31 6 12345678 or name@example.com: not your work address, which you cannot reach when you are locked out.
page-register-submit = Send the code
page-register-codes-title = Type the code we sent
page-register-proved = That code was right: it is you. Now the code we sent to the new method.
page-register-new-code = Code sent to { $to } (the new method)
page-register-current-code = Code sent to { $to } (a method you have)
page-register-codes-submit = Register
page-registered-title = Your methods are registered
page-registered-text = Confirmed on { $time }. Your methods:
page-registered-next = We told you on every method. A code to reset your password can go to any of them.
