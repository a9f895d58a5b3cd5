// MathJax 3 for the site. Markdown pages: only pymdownx.arithmatex's output (generic mode, \( \) and \[ \]) is
// typeset. Notebook pages (mkdocs-jupyter): the markdown cells' $...$ and $$...$$ as in Jupyter; code and
// outputs are skipped (MathJax never looks inside pre or code).
(function () {
  const notebook = document.querySelector(".jp-Notebook, .jp-MarkdownCell") !== null;
  window.MathJax = {
    tex: {
      inlineMath: notebook ? [["$", "$"], ["\\(", "\\)"]] : [["\\(", "\\)"]],
      displayMath: notebook ? [["$$", "$$"], ["\\[", "\\]"]] : [["\\[", "\\]"]],
      processEscapes: true,
      processEnvironments: true
    },
    options: notebook
      ? { ignoreHtmlClass: "jp-CodeCell|jp-OutputArea" }
      : { ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex" }
  };
})();
