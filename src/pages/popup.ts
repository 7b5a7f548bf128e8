/** The toolbar button's popup: each link opens its page in a new tab (a popup cannot navigate itself to one). */
import { browser } from "../apis/browserApis.js";

for (const link of document.querySelectorAll<HTMLAnchorElement>("a[href]")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    void browser.tabs.create({ url: link.href }).then(() => window.close());
  });
}
