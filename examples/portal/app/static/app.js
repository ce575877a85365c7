// Client portal: sends the test email without leaving the dashboard.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("test-email");
  if (!form) return;
  const result = document.getElementById("test-email-result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.textContent = "sending…";
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        credentials: "same-origin",
      });
      result.textContent = (await response.text()).trim();
    } catch (err) {
      result.textContent = "network error";
    }
  });
});
