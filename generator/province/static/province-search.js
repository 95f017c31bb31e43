/* 全省搜索: one Pagefind search over every verified city's index. The first city's bundle is the primary
 * index; every other bundle (other cities', and a city's other shards) is merged into it with mergeIndex, each
 * with the city's portal address as its baseUrl and the city's id as a mergeFilter, so a result says which city
 * it came from and a search can keep to one city. A result links to the problem's page on its city's portal,
 * made from the page address pattern the province page was given (the id Pagefind returns in `meta.id`).
 * Every text from a city is put in the page with textContent, never as HTML. */
(function () {
  "use strict";
  var PAGE = 20;
  var loaded = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function load(cities) {
    if (loaded) return loaded;
    var bundles = [];
    cities.forEach(function (city) {
      city.bundles.forEach(function (bundle) {
        bundles.push({ city: city, url: new URL(bundle, document.baseURI).href });
      });
    });
    var first = bundles[0];
    loaded = import(first.url + "pagefind.js").then(function (pagefind) {
      return pagefind.options({ baseUrl: first.city.base, mergeFilter: { city: first.city.id } })
        .then(function () {
          return bundles.slice(1).reduce(function (chain, bundle) {
            return chain.then(function () {
              return pagefind.mergeIndex(bundle.url, { baseUrl: bundle.city.base, mergeFilter: { city: bundle.city.id } });
            });
          }, Promise.resolve());
        })
        .then(function () { return pagefind; });
    });
    loaded.catch(function () { loaded = null; });
    return loaded;
  }

  /* The city a result came from: the one whose portal address its URL starts with (the longest, should one
   * address hold another). */
  function cityOf(url, cities) {
    var best = null;
    cities.forEach(function (city) {
      if (url.indexOf(city.base) === 0 && (!best || city.base.length > best.base.length)) best = city;
    });
    return best;
  }

  function plain(excerpt) {
    var box = document.createElement("template");
    box.innerHTML = excerpt;  // an inert template: nothing in it runs or loads; only its text is used
    return box.content.textContent;
  }

  function setUp() {
    var form = document.querySelector("form[data-province-search]");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var cities = JSON.parse(form.querySelector(".rc-province-search__cities").content.textContent);
    var status = form.querySelector(".rc-province-search__status");
    var list = form.querySelector(".rc-province-search__results");
    var asked = 0;
    var params = new URLSearchParams(window.location.search);
    if (params.get("keyword")) form.elements.keyword.value = params.get("keyword");
    if (params.get("city")) form.elements.city.value = params.get("city");

    function run() {
      var keyword = form.elements.keyword.value.trim();
      var only = form.elements.city.value;
      var ask = ++asked;
      list.textContent = "";
      if (!keyword || !cities.length) { status.textContent = cities.length ? "请输入关键词。" : "没有可以搜索的城市。"; return; }
      status.textContent = "正在搜索……";
      load(cities).then(function (pagefind) {
        return pagefind.search(keyword, only ? { filters: { city: only } } : {});
      }).then(function (search) {
        if (ask !== asked) return null;
        return Promise.all(search.results.slice(0, PAGE).map(function (r) { return r.data(); })).then(function (pages) {
          return { total: search.results.length, pages: pages };
        });
      }).then(function (found) {
        if (!found || ask !== asked) return;
        status.textContent = found.total ? "找到 " + found.total + " 个问题" + (found.total > PAGE ? "，列出前 " + PAGE + " 个" : "") + "。" : "没有找到含这些词语的问题。";
        found.pages.forEach(function (d) {
          var city = cityOf(d.url, cities);
          var id = d.meta && d.meta.id;
          if (!city || !id) return;
          var item = el("li", "rc-province-search__result");
          item.dataset.city = city.id;
          var head = el("p");
          head.appendChild(el("span", "rc-province-search__city", city.name));
          head.appendChild(document.createTextNode(" "));
          var link = el("a", null, id);
          link.href = city.page.replace("{id}", encodeURIComponent(id));
          head.appendChild(link);
          head.appendChild(document.createTextNode(" " + (d.meta.title || "")));
          item.appendChild(head);
          item.appendChild(el("p", "rc-province-search__excerpt", plain(d.excerpt || "")));
          list.appendChild(item);
        });
      }).catch(function () {
        if (ask === asked) status.textContent = "搜索索引载入失败，请稍后再试。";
      });
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
    if (form.elements.keyword.value) run();
  }

  window.rcOnPage(setUp);
})();
