// Actions that cannot be undone ask first: a submit button (or its form) carrying data-confirm="question".
// The question is written by the template, already in the page's language.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  const question = (button && button.dataset.confirm) || form.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
