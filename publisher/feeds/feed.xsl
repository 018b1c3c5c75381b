<?xml version="1.0" encoding="UTF-8"?>
<!--
  Browser view of an RSS 2.0 or Atom 1.0 feed: title, how to subscribe, the latest items.

  XSLT 1.0 (the only version browsers run). Every feed points here with
  <?xml-stylesheet type="text/xsl" href="RELATIVE/feed.xsl"?>. No JavaScript and no
  disable-output-escaping (Firefox ignores it): summaries are shown as plain text, and an
  HTML summary or content is reduced to text by the strip-tags template below.
  The CSS in <style> is also the stylesheet of feeds.html (publisher/render/browser.py reads it).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:content="http://purl.org/rss/1.0/modules/content/"
    exclude-result-prefixes="atom dc content">

  <xsl:output method="html" encoding="UTF-8" indent="yes" doctype-system="about:legacy-compat"/>

  <!-- Absolute URL of the site's plain HTML feeds page; browser_files fills it in. -->
  <xsl:param name="feeds-page"/>
  <!-- A feed may hold every article ever published; the page shows the newest ones only. -->
  <xsl:param name="max-items" select="50"/>

  <!-- The href of the feed's own <?xml-stylesheet?>, e.g. "../../feed.xsl". -->
  <xsl:variable name="stylesheet-href"
      select="substring-before(substring-after(/processing-instruction('xml-stylesheet')[1], 'href=&quot;'), '&quot;')"/>
  <xsl:variable name="months-abbr"
      select="'Jan:January;Feb:February;Mar:March;Apr:April;May:May;Jun:June;Jul:July;Aug:August;Sep:September;Oct:October;Nov:November;Dec:December;'"/>
  <xsl:variable name="months-num"
      select="'01:January;02:February;03:March;04:April;05:May;06:June;07:July;08:August;09:September;10:October;11:November;12:December;'"/>
  <!-- Tags after which text continues as a new block: a space keeps words apart. -->
  <xsl:variable name="block-tags"
      select="'|p|/p|br|br/|li|/li|ul|/ul|ol|/ol|div|/div|section|/section|blockquote|/blockquote|pre|/pre|h1|/h1|h2|/h2|h3|/h3|h4|/h4|h5|/h5|h6|/h6|tr|/tr|td|/td|th|/th|figure|/figure|figcaption|/figcaption|hr|hr/|dt|/dt|dd|/dd|'"/>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="rss/channel">
        <xsl:call-template name="page">
          <xsl:with-param name="title" select="normalize-space(rss/channel/title)"/>
          <xsl:with-param name="description" select="normalize-space(rss/channel/description)"/>
          <xsl:with-param name="lang" select="normalize-space(rss/channel/language)"/>
          <xsl:with-param name="self" select="normalize-space(rss/channel/atom:link[@rel='self'][1]/@href)"/>
          <xsl:with-param name="site" select="normalize-space(rss/channel/link)"/>
          <xsl:with-param name="items" select="rss/channel/item"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:when test="atom:feed">
        <xsl:call-template name="page">
          <xsl:with-param name="title" select="normalize-space(atom:feed/atom:title)"/>
          <xsl:with-param name="description" select="normalize-space(atom:feed/atom:subtitle)"/>
          <xsl:with-param name="lang" select="normalize-space(atom:feed/@xml:lang)"/>
          <xsl:with-param name="self" select="normalize-space(atom:feed/atom:link[@rel='self'][1]/@href)"/>
          <xsl:with-param name="site"
              select="normalize-space(atom:feed/atom:link[@rel='alternate' or not(@rel)][1]/@href)"/>
          <xsl:with-param name="items" select="atom:feed/atom:entry"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <html>
          <head><title>Not a feed</title></head>
          <body><p>This document is neither an RSS 2.0 nor an Atom 1.0 feed.</p></body>
        </html>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="page">
    <xsl:param name="title"/>
    <xsl:param name="description"/>
    <xsl:param name="lang"/>
    <xsl:param name="self"/>
    <xsl:param name="site"/>
    <xsl:param name="items"/>
    <html>
      <xsl:if test="$lang != ''">
        <xsl:attribute name="lang"><xsl:value-of select="$lang"/></xsl:attribute>
      </xsl:if>
      <head>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> (web feed)</title>
        <style>
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f3f6f9;
  --edge: #d0d7de; --accent: #0b5cad; --note: #fff8e1; --note-edge: #e3b341; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --muted: #9aa5b1; --bg: #0d1117; --panel: #161b22; --edge: #30363d;
    --accent: #6cb6ff; --note: #2a2414; --note-edge: #9e7a1f; }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 1.0625rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.page { max-width: 46rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
a { color: var(--accent); }
h1 { font-size: 2rem; line-height: 1.2; margin: 0.25rem 0 0.5rem; }
h2 { font-size: 1.35rem; line-height: 1.3; margin: 2rem 0 0.75rem; }
h3 { font-size: 1.15rem; line-height: 1.35; margin: 0 0 0.25rem; }
.kicker { margin: 0; color: var(--muted); font-size: 0.85rem; letter-spacing: 0.06em; text-transform: uppercase; }
.description { margin: 0 0 0.5rem; color: var(--muted); font-size: 1.15rem; }
.subscribe { margin: 1.5rem 0; padding: 1rem 1.25rem; background: var(--note);
  border: 1px solid var(--note-edge); border-left-width: 6px; border-radius: 6px; }
.subscribe h2 { margin-top: 0; font-size: 1.15rem; }
.subscribe p { margin: 0.5rem 0; }
.url { display: block; padding: 0.5rem 0.75rem; background: var(--bg); border: 1px solid var(--edge);
  border-radius: 4px; font: 0.95rem/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  overflow-wrap: anywhere; user-select: all; -webkit-user-select: all; }
.items, .feeds { list-style: none; margin: 0; padding: 0; }
.items > li { padding: 1rem 0; border-top: 1px solid var(--edge); }
.meta { margin: 0 0 0.35rem; color: var(--muted); font-size: 0.9rem; }
.summary { margin: 0; }
.feeds > li { margin: 0 0 0.9rem; padding: 0.75rem 1rem; background: var(--panel); border-radius: 6px; }
.feeds strong { display: block; }
.formats { margin: 0.35rem 0 0; padding: 0; list-style: none; }
.formats li { display: flex; align-items: baseline; gap: 0.75rem; margin: 0.25rem 0; }
.formats a { min-width: 0; overflow-wrap: anywhere; }
.kind { flex: none; width: 5.5rem; font-size: 0.85rem; font-weight: 600; color: var(--muted); }
.steps li { margin: 0.25rem 0; }
@media (max-width: 32rem) {
  .page { padding: 1rem 0.9rem 2rem; }
  h1 { font-size: 1.6rem; }
  .formats li { display: block; margin: 0.5rem 0; }
  .kind { display: block; width: auto; }
}
        </style>
      </head>
      <body>
        <div class="page">
          <header>
            <p class="kicker">Web feed</p>
            <h1><xsl:value-of select="$title"/></h1>
            <xsl:if test="$description != ''">
              <p class="description"><xsl:value-of select="$description"/></p>
            </xsl:if>
            <xsl:if test="$site != ''">
              <p>
                <a>
                  <xsl:call-template name="safe-href"><xsl:with-param name="url" select="$site"/></xsl:call-template>
                  <xsl:text>Visit the website</xsl:text>
                </a>
              </p>
            </xsl:if>
          </header>
          <main>
            <section class="subscribe" aria-labelledby="subscribe-heading">
              <h2 id="subscribe-heading">This is a web feed — copy its URL into your feed reader to subscribe</h2>
              <p>A feed reader (an app or website, many of them free) collects new articles from the
                sites you follow, so you don’t have to visit each one. Paste this address into your
                reader’s “add feed” or “subscribe” box:</p>
              <xsl:choose>
                <xsl:when test="$self != ''">
                  <p><code class="url"><xsl:value-of select="$self"/></code></p>
                </xsl:when>
                <xsl:otherwise>
                  <p>Use the address of this page, as shown in your browser’s address bar.</p>
                </xsl:otherwise>
              </xsl:choose>
              <xsl:if test="string($feeds-page) != ''">
                <p>
                  <xsl:text>New to feeds? </xsl:text>
                  <a>
                    <xsl:choose>
                      <!-- Relative, beside the stylesheet: the link also works where the build is previewed. -->
                      <xsl:when test="$stylesheet-href != '' and not(contains($stylesheet-href, ':')) and substring($stylesheet-href, string-length($stylesheet-href) - 7) = 'feed.xsl'">
                        <xsl:attribute name="href">
                          <xsl:value-of select="concat(substring($stylesheet-href, 1, string-length($stylesheet-href) - 8), 'feeds.html')"/>
                        </xsl:attribute>
                      </xsl:when>
                      <xsl:otherwise>
                        <xsl:call-template name="safe-href"><xsl:with-param name="url" select="string($feeds-page)"/></xsl:call-template>
                      </xsl:otherwise>
                    </xsl:choose>
                    <xsl:text>How to subscribe, step by step, and every feed from this site</xsl:text>
                  </a>
                </p>
              </xsl:if>
            </section>
            <section aria-labelledby="latest-heading">
              <h2 id="latest-heading">Latest articles</h2>
              <xsl:if test="count($items) &gt; $max-items">
                <p class="meta">
                  <xsl:text>The newest </xsl:text><xsl:value-of select="$max-items"/>
                  <xsl:text> of </xsl:text><xsl:value-of select="count($items)"/>
                  <xsl:text> items in this feed.</xsl:text>
                </p>
              </xsl:if>
              <xsl:choose>
                <xsl:when test="$items">
                  <ol class="items">
                    <xsl:apply-templates select="$items[position() &lt;= $max-items]"/>
                  </ol>
                </xsl:when>
                <xsl:otherwise><p>This feed has no items yet.</p></xsl:otherwise>
              </xsl:choose>
            </section>
          </main>
        </div>
      </body>
    </html>
  </xsl:template>

  <!-- One RSS item. -->
  <xsl:template match="item">
    <xsl:variable name="link">
      <xsl:choose>
        <xsl:when test="normalize-space(link) != ''"><xsl:value-of select="normalize-space(link)"/></xsl:when>
        <xsl:when test="guid[not(@isPermaLink='false')]"><xsl:value-of select="normalize-space(guid)"/></xsl:when>
      </xsl:choose>
    </xsl:variable>
    <xsl:call-template name="entry">
      <xsl:with-param name="title" select="normalize-space(title)"/>
      <xsl:with-param name="link" select="string($link)"/>
      <xsl:with-param name="authors" select="dc:creator | author[not(../dc:creator)]"/>
      <xsl:with-param name="date">
        <xsl:choose>
          <xsl:when test="pubDate"><xsl:call-template name="rfc822-date"><xsl:with-param name="value" select="normalize-space(pubDate)"/></xsl:call-template></xsl:when>
          <xsl:when test="dc:date"><xsl:call-template name="iso-date"><xsl:with-param name="value" select="normalize-space(dc:date)"/></xsl:call-template></xsl:when>
        </xsl:choose>
      </xsl:with-param>
      <xsl:with-param name="datetime" select="normalize-space(dc:date)"/>
      <xsl:with-param name="summary">
        <xsl:choose>
          <xsl:when test="normalize-space(description) != ''"><xsl:value-of select="normalize-space(description)"/></xsl:when>
          <xsl:otherwise><xsl:call-template name="html-to-text"><xsl:with-param name="html" select="content:encoded"/></xsl:call-template></xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- One Atom entry. -->
  <xsl:template match="atom:entry">
    <!-- Not (published | updated)[1]: a union is in document order, and updated often comes first. -->
    <xsl:variable name="when">
      <xsl:choose>
        <xsl:when test="atom:published"><xsl:value-of select="normalize-space(atom:published)"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="normalize-space(atom:updated)"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:call-template name="entry">
      <xsl:with-param name="title" select="normalize-space(atom:title)"/>
      <xsl:with-param name="link" select="normalize-space(atom:link[@rel='alternate' or not(@rel)][1]/@href)"/>
      <xsl:with-param name="authors" select="atom:author/atom:name | /atom:feed/atom:author/atom:name[not(current()/atom:author)]"/>
      <xsl:with-param name="date"><xsl:call-template name="iso-date"><xsl:with-param name="value" select="string($when)"/></xsl:call-template></xsl:with-param>
      <xsl:with-param name="datetime" select="string($when)"/>
      <xsl:with-param name="summary">
        <xsl:choose>
          <xsl:when test="atom:summary"><xsl:apply-templates select="atom:summary" mode="text"/></xsl:when>
          <xsl:otherwise><xsl:apply-templates select="atom:content" mode="text"/></xsl:otherwise>
        </xsl:choose>
      </xsl:with-param>
    </xsl:call-template>
  </xsl:template>

  <!-- An Atom text construct as plain text: type="html" is escaped markup, the others are text. -->
  <xsl:template match="atom:summary | atom:content" mode="text">
    <xsl:choose>
      <xsl:when test="@type = 'html'"><xsl:call-template name="html-to-text"><xsl:with-param name="html" select="."/></xsl:call-template></xsl:when>
      <xsl:when test="@src"/>
      <xsl:otherwise><xsl:call-template name="shorten"><xsl:with-param name="text" select="normalize-space(.)"/></xsl:call-template></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="entry">
    <xsl:param name="title"/>
    <xsl:param name="link"/>
    <xsl:param name="authors"/>
    <xsl:param name="date"/>
    <xsl:param name="datetime"/>
    <xsl:param name="summary"/>
    <li>
      <article>
        <h3>
          <xsl:variable name="shown">
            <xsl:choose>
              <xsl:when test="$title != ''"><xsl:value-of select="$title"/></xsl:when>
              <xsl:otherwise>(untitled)</xsl:otherwise>
            </xsl:choose>
          </xsl:variable>
          <xsl:choose>
            <xsl:when test="$link != ''">
              <a>
                <xsl:call-template name="safe-href"><xsl:with-param name="url" select="$link"/></xsl:call-template>
                <xsl:value-of select="$shown"/>
              </a>
            </xsl:when>
            <xsl:otherwise><xsl:value-of select="$shown"/></xsl:otherwise>
          </xsl:choose>
        </h3>
        <xsl:if test="string($date) != '' or $authors">
          <p class="meta">
            <xsl:if test="string($date) != ''">
              <xsl:choose>
                <xsl:when test="$datetime != ''">
                  <time datetime="{$datetime}"><xsl:value-of select="$date"/></time>
                </xsl:when>
                <xsl:otherwise><xsl:value-of select="$date"/></xsl:otherwise>
              </xsl:choose>
            </xsl:if>
            <xsl:if test="string($date) != '' and $authors"><xsl:text> · </xsl:text></xsl:if>
            <xsl:if test="$authors">
              <xsl:text>By </xsl:text>
              <xsl:for-each select="$authors">
                <xsl:if test="position() &gt; 1">
                  <xsl:choose>
                    <xsl:when test="position() = last()"><xsl:text> and </xsl:text></xsl:when>
                    <xsl:otherwise><xsl:text>, </xsl:text></xsl:otherwise>
                  </xsl:choose>
                </xsl:if>
                <xsl:value-of select="normalize-space(.)"/>
              </xsl:for-each>
            </xsl:if>
          </p>
        </xsl:if>
        <xsl:if test="string($summary) != ''">
          <p class="summary"><xsl:value-of select="$summary"/></p>
        </xsl:if>
      </article>
    </li>
  </xsl:template>

  <!-- An href only for http(s) URLs: a feed is untrusted input, and javascript: must not become a link. -->
  <xsl:template name="safe-href">
    <xsl:param name="url"/>
    <xsl:variable name="lower" select="translate(substring($url, 1, 8), 'HTPS', 'htps')"/>
    <xsl:if test="starts-with($lower, 'http://') or starts-with($lower, 'https://')">
      <xsl:attribute name="href"><xsl:value-of select="$url"/></xsl:attribute>
    </xsl:if>
  </xsl:template>

  <!-- "Tue, 24 Nov 2026 07:00:00 +0000" -> "24 November 2026". -->
  <xsl:template name="rfc822-date">
    <xsl:param name="value"/>
    <xsl:variable name="rest">
      <xsl:choose>
        <xsl:when test="contains($value, ',')"><xsl:value-of select="normalize-space(substring-after($value, ','))"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$value"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="day" select="substring-before($rest, ' ')"/>
    <xsl:variable name="month" select="substring-before(substring-after($rest, ' '), ' ')"/>
    <xsl:variable name="year" select="substring(substring-after(substring-after($rest, ' '), ' '), 1, 4)"/>
    <xsl:variable name="name" select="substring-before(substring-after($months-abbr, concat($month, ':')), ';')"/>
    <xsl:choose>
      <xsl:when test="$name != '' and number($day) = number($day)">
        <xsl:value-of select="concat(number($day), ' ', $name, ' ', $year)"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$value"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "2026-11-24T07:00:00+00:00" -> "24 November 2026". -->
  <xsl:template name="iso-date">
    <xsl:param name="value"/>
    <xsl:variable name="name" select="substring-before(substring-after($months-num, concat(substring($value, 6, 2), ':')), ';')"/>
    <xsl:choose>
      <xsl:when test="$name != '' and number(substring($value, 9, 2)) = number(substring($value, 9, 2))">
        <xsl:value-of select="concat(number(substring($value, 9, 2)), ' ', $name, ' ', substring($value, 1, 4))"/>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$value"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Escaped HTML as a short plain text: tags dropped, the entities markup leaves decoded. -->
  <xsl:template name="html-to-text">
    <xsl:param name="html"/>
    <!-- Only the start is needed, and bounding it bounds the recursion below. -->
    <xsl:variable name="stripped">
      <xsl:call-template name="strip-tags">
        <xsl:with-param name="html" select="substring($html, 1, 2000)"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="no-lt">
      <xsl:call-template name="replace">
        <xsl:with-param name="text" select="string($stripped)"/>
        <xsl:with-param name="from" select="'&amp;lt;'"/>
        <xsl:with-param name="to" select="'&lt;'"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="no-gt">
      <xsl:call-template name="replace">
        <xsl:with-param name="text" select="string($no-lt)"/>
        <xsl:with-param name="from" select="'&amp;gt;'"/>
        <xsl:with-param name="to" select="'&gt;'"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:variable name="no-amp">
      <xsl:call-template name="replace">
        <xsl:with-param name="text" select="string($no-gt)"/>
        <xsl:with-param name="from" select="'&amp;amp;'"/>
        <xsl:with-param name="to" select="'&amp;'"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:call-template name="shorten">
      <xsl:with-param name="text" select="normalize-space($no-amp)"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="strip-tags">
    <xsl:param name="html"/>
    <xsl:choose>
      <xsl:when test="contains($html, '&lt;')">
        <xsl:value-of select="substring-before($html, '&lt;')"/>
        <xsl:variable name="tag" select="substring-before(substring-after($html, '&lt;'), '&gt;')"/>
        <xsl:variable name="name"
            select="translate(substring-before(concat(normalize-space($tag), ' '), ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"/>
        <xsl:if test="contains($block-tags, concat('|', $name, '|'))"><xsl:text> </xsl:text></xsl:if>
        <xsl:call-template name="strip-tags">
          <xsl:with-param name="html" select="substring-after(substring-after($html, '&lt;'), '&gt;')"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$html"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="replace">
    <xsl:param name="text"/>
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:choose>
      <xsl:when test="contains($text, $from)">
        <xsl:value-of select="concat(substring-before($text, $from), $to)"/>
        <xsl:call-template name="replace">
          <xsl:with-param name="text" select="substring-after($text, $from)"/>
          <xsl:with-param name="from" select="$from"/>
          <xsl:with-param name="to" select="$to"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- At most about 300 characters, cut at a word. -->
  <xsl:template name="shorten">
    <xsl:param name="text"/>
    <xsl:choose>
      <xsl:when test="string-length($text) &lt;= 300"><xsl:value-of select="$text"/></xsl:when>
      <xsl:otherwise>
        <xsl:variable name="head" select="substring($text, 1, 300)"/>
        <xsl:variable name="cut">
          <xsl:call-template name="before-last-space"><xsl:with-param name="text" select="$head"/></xsl:call-template>
        </xsl:variable>
        <xsl:choose>
          <xsl:when test="string-length($cut) &gt; 200"><xsl:value-of select="concat($cut, '…')"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="concat($head, '…')"/></xsl:otherwise>
        </xsl:choose>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="before-last-space">
    <xsl:param name="text"/>
    <xsl:if test="contains($text, ' ')">
      <xsl:value-of select="substring-before($text, ' ')"/>
      <xsl:if test="contains(substring-after($text, ' '), ' ')">
        <xsl:text> </xsl:text>
        <xsl:call-template name="before-last-space">
          <xsl:with-param name="text" select="substring-after($text, ' ')"/>
        </xsl:call-template>
      </xsl:if>
    </xsl:if>
  </xsl:template>

</xsl:stylesheet>
