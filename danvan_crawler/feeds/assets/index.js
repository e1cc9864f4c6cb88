// "Sao chép" (copy) links of the feeds folder's pages: a link <a class="copy" href="...">
// copies the absolute address of its href (resolved against this page, so it is right
// wherever the folder is served) instead of opening it. Without script the links stay
// hidden (style.css shows them under html.js) and the feed links work as links.
"use strict";
document.documentElement.classList.add("js");

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  return new Promise(function (resolve, reject) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    area.remove();
    if (copied) {
      resolve();
    } else {
      reject(new Error("copy refused"));
    }
  });
}

document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.copy") : null;
  if (!link) {
    return;
  }
  event.preventDefault();
  var url = new URL(link.getAttribute("href") || "", window.location.href).href;
  var label = link.textContent;
  copyText(url).then(
    function () {
      link.textContent = "Đã sao chép";
      link.classList.add("done");
      window.setTimeout(function () {
        link.textContent = label;
        link.classList.remove("done");
      }, 1500);
    },
    function () {
      window.prompt("Sao chép địa chỉ này:", url);
    }
  );
});
