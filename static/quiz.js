/* mlsysgen self-check quizzes: instant feedback, no server. Plain ES2017, no dependencies.
 *
 * The page already shows every question as text, with a "See answer" link to the
 * chapter's Self-Check Answers section; that is what readers without JavaScript get.
 * This script enhances each question marked up by mlsysgen/render/quizzes.py:
 *
 *  - multiple choice (data-quiz-type="MCQ"): each choice becomes a button; choosing one
 *    says whether it is right (data-quiz-correct holds the right choice's index);
 *  - true/false ("TF"): True and False buttons, checked against data-quiz-correct;
 *  - every question gets a "Show explanation" / "Show answer" toggle that reveals a copy
 *    of its answer (data-quiz-answer names the answer's id on this page).
 *
 * Feedback goes to a role="status" (aria-live) paragraph, so screen readers announce it;
 * every control is a real <button>, reachable and usable from the keyboard.
 */
(function () {
  "use strict";

  var doc = document;

  function make(tag, attrs, text) {
    var el = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { el.setAttribute(name, attrs[name]); });
    if (text) el.textContent = text;
    return el;
  }

  function letter(index) { return String.fromCharCode(97 + index) + ")"; }

  /* A choice was made: mark the pressed button, announce the verdict. */
  function judge(buttons, pressed, right, feedback, rightLabel) {
    var ok = pressed === buttons[right];
    buttons.forEach(function (b) {
      b.setAttribute("aria-pressed", b === pressed ? "true" : "false");
      b.classList.remove("is-correct", "is-wrong");
    });
    pressed.classList.add(ok ? "is-correct" : "is-wrong");
    feedback.className = "quiz-feedback " + (ok ? "is-correct" : "is-wrong");
    feedback.textContent = ok
      ? "Correct: " + rightLabel + " is the answer."
      : "Not quite. Try another answer, or show the explanation.";
  }

  function wire(buttons, right, feedback, rightLabel) {
    buttons.forEach(function (b) {
      b.addEventListener("click", function () { judge(buttons, b, right, feedback, rightLabel); });
    });
  }

  /* MCQ: move each choice's content into a button inside its list item. */
  function multipleChoice(item, right, feedback) {
    var choices = Array.prototype.slice.call(item.querySelectorAll(".quiz-choices > .quiz-choice"));
    if (right < 0 || right >= choices.length) return false;
    var buttons = choices.map(function (li) {
      var button = make("button", { type: "button", "class": "quiz-option", "aria-pressed": "false" });
      while (li.firstChild) button.appendChild(li.firstChild);
      li.appendChild(button);
      return button;
    });
    item.querySelector(".quiz-choices").setAttribute("aria-label", "Choose an answer");
    wire(buttons, right, feedback, letter(right));
    return true;
  }

  /* TF: two buttons after the question. */
  function trueFalse(item, right, feedback) {
    var group = make("div", { "class": "quiz-options", role: "group", "aria-label": "Choose an answer" });
    var buttons = ["True", "False"].map(function (word) {
      var button = make("button", { type: "button", "class": "quiz-option", "aria-pressed": "false" }, word);
      group.appendChild(button);
      return button;
    });
    item.querySelector(".quiz-prompt").after(group);
    wire(buttons, right ? 0 : 1, feedback, right ? "True" : "False");
    return true;
  }

  /* A copy of the answer text (ids removed: they stay unique on the page). */
  function explanation(item) {
    var answer = doc.getElementById(item.getAttribute("data-quiz-answer") || "");
    var text = answer && answer.querySelector(".quiz-answer-text");
    if (!text) return null;
    var copy = text.cloneNode(true);
    copy.removeAttribute("id");
    Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (el) { el.removeAttribute("id"); });
    copy.className = "quiz-explanation";
    copy.id = item.id + "-explanation";
    copy.hidden = true;
    return copy;
  }

  function enhance(item) {
    var type = item.getAttribute("data-quiz-type");
    var correct = item.getAttribute("data-quiz-correct");
    var feedback = make("p", { "class": "quiz-feedback", role: "status", "aria-live": "polite" });
    var checked = false;
    if (type === "MCQ" && correct !== null) checked = multipleChoice(item, parseInt(correct, 10), feedback);
    else if (type === "TF" && correct !== null) checked = trueFalse(item, correct === "true", feedback);
    var reveal = explanation(item);
    var link = item.querySelector(".quiz-see-answer");
    var controls = make("div", { "class": "quiz-controls" });
    if (checked) controls.appendChild(feedback);
    if (reveal) {
      var showWord = checked ? "Show explanation" : "Show answer";
      var hideWord = checked ? "Hide explanation" : "Hide answer";
      var toggle = make("button", {
        type: "button", "class": "quiz-reveal", "aria-expanded": "false", "aria-controls": reveal.id
      }, showWord);
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        toggle.textContent = open ? hideWord : showWord;
        reveal.hidden = !open;
      });
      controls.appendChild(toggle);
      controls.appendChild(reveal);
      if (link) link.hidden = true; // the explanation shows here; the answers section stays
    }
    if (link) link.before(controls);
    else item.appendChild(controls);
    item.classList.add("quiz-interactive");
  }

  function init() {
    Array.prototype.forEach.call(doc.querySelectorAll(".quiz-item[data-quiz-type]"), enhance);
  }

  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init);
  else init();
})();
