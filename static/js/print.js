// The print button of the official-document pages (no inline script: the CSP forbids it).
document.getElementById("print-button")?.addEventListener("click", () => window.print());
