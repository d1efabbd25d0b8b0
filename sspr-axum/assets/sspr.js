/* The audio challenge from the keyboard, for the default pages of sspr-axum. Served as a
   file (the Content-Security-Policy allows no inline script) on the audio challenge's
   page only; that page works without it.

   In the answer box, Ctrl pressed and released on its own plays the clip, or pauses it,
   so that a person who listens never leaves the box to reach the player. Ctrl with
   another key (Ctrl+V, Ctrl+A) does nothing here. */
(function () {
  "use strict";
  var answer = document.getElementById("answer");
  var audio = document.querySelector("audio.challenge-audio");
  var keys = document.getElementById("audio-keys");
  if (!answer || !audio || !keys) {
    return;
  }
  // Tell the person (and their screen reader, through the box's description) only now
  // that the key works.
  keys.hidden = false;
  var described = answer.getAttribute("aria-describedby");
  answer.setAttribute("aria-describedby", described ? described + " audio-keys" : "audio-keys");

  var alone = false;
  answer.addEventListener("keydown", function (event) {
    if (event.key === "Control") {
      if (!event.repeat) {
        alone = true;
      }
    } else {
      alone = false;
    }
  });
  answer.addEventListener("keyup", function (event) {
    if (event.key !== "Control" || !alone) {
      return;
    }
    alone = false;
    if (audio.paused || audio.ended) {
      var playing = audio.play();
      if (playing && playing.catch) {
        playing.catch(function () {});
      }
    } else {
      audio.pause();
    }
  });
  answer.addEventListener("blur", function () {
    alone = false;
  });
})();
