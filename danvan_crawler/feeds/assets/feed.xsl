<?xml version="1.0" encoding="UTF-8"?>
<!-- A feed (RSS 2.0 or Atom 1.0) opened in a browser, shown as a page for people: what
     the feed is, how to subscribe, its newest items. Feed readers ignore this file.
     Text only: every value goes out escaped (no disable-output-escaping). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom"
    exclude-result-prefixes="atom">
  <xsl:output method="html" encoding="UTF-8" indent="no"
      doctype-system="about:legacy-compat"/>

  <xsl:variable name="rss" select="/rss/channel"/>
  <xsl:variable name="atom" select="/atom:feed"/>
  <xsl:variable name="title">
    <xsl:choose>
      <xsl:when test="$rss"><xsl:value-of select="$rss/title"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$atom/atom:title"/></xsl:otherwise>
    </xsl:choose>
  </xsl:variable>
  <xsl:variable name="kind">
    <xsl:choose>
      <xsl:when test="$rss">RSS</xsl:when>
      <xsl:otherwise>Atom</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="vi">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (nguồn tin <xsl:value-of select="$kind"/>)</title>
        <link rel="stylesheet" href="style.css"/>
        <script src="index.js" defer="defer"></script>
      </head>
      <body>
        <header>
          <p class="meta"><a href="index.html">← Tất cả nguồn tin</a></p>
          <h1><xsl:value-of select="$title"/></h1>
          <p class="lead">
            <xsl:choose>
              <xsl:when test="$rss"><xsl:value-of select="$rss/description"/></xsl:when>
              <xsl:otherwise><xsl:value-of select="$atom/atom:subtitle"/></xsl:otherwise>
            </xsl:choose>
          </p>
        </header>
        <section class="help">
          <h2>Đây là một nguồn tin (<xsl:value-of select="$kind"/>)</h2>
          <p>Nguồn tin là địa chỉ mà trình đọc tin (Feedly, Inoreader, NetNewsWire,
            Thunderbird, newsboat…) theo dõi để tự động nhận bài mới, không cần vào trang.</p>
          <p>Để đăng ký, sao chép địa chỉ của trang này và dán vào trình đọc tin:</p>
          <p>
            <code class="url">
              <xsl:choose>
                <xsl:when test="$rss"><xsl:value-of select="$rss/atom:link[@rel='self']/@href"/></xsl:when>
                <xsl:otherwise><xsl:value-of select="$atom/atom:link[@rel='self']/@href"/></xsl:otherwise>
              </xsl:choose>
            </code>
            <a class="copy" href="">Sao chép địa chỉ</a>
          </p>
        </section>
        <main>
          <h2>Bài mới nhất</h2>
          <xsl:choose>
            <xsl:when test="$rss/item | $atom/atom:entry">
              <ol class="headlines">
                <xsl:apply-templates select="$rss/item | $atom/atom:entry"/>
              </ol>
            </xsl:when>
            <xsl:otherwise><p class="empty">Chưa có bài viết.</p></xsl:otherwise>
          </xsl:choose>
        </main>
        <footer>
          <p>Tiêu đề bài viết dẫn tới trang gốc, nơi đăng bài đầy đủ:
            <xsl:choose>
              <xsl:when test="$rss"><a href="{$rss/link}"><xsl:value-of select="$rss/link"/></a></xsl:when>
              <xsl:otherwise><a href="{$atom/atom:link[@rel='alternate']/@href}"><xsl:value-of select="$atom/atom:link[@rel='alternate']/@href"/></a></xsl:otherwise>
            </xsl:choose>.
            Trình đọc tin nhận cả nội dung bài.</p>
        </footer>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <a href="{link}"><xsl:value-of select="title"/></a>
      <xsl:if test="pubDate">
        <time class="date">
          <xsl:call-template name="rfc822-date"><xsl:with-param name="date" select="pubDate"/></xsl:call-template>
        </time>
      </xsl:if>
      <xsl:if test="normalize-space(description)">
        <!-- description is HTML holding escaped plain text: undo the escaping, as text -->
        <p>
          <xsl:call-template name="unescape"><xsl:with-param name="text" select="description"/></xsl:call-template>
        </p>
      </xsl:if>
    </li>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a>
      <xsl:if test="atom:published">
        <time class="date">
          <xsl:call-template name="rfc3339-date"><xsl:with-param name="date" select="atom:published"/></xsl:call-template>
        </time>
      </xsl:if>
      <xsl:if test="normalize-space(atom:summary)">
        <p><xsl:value-of select="atom:summary"/></p>
      </xsl:if>
    </li>
  </xsl:template>

  <!-- "Tue, 05 Dec 2023 07:31:00 +0700" -> "05/12/2023 07:31" -->
  <xsl:template name="rfc822-date">
    <xsl:param name="date"/>
    <xsl:variable name="month" select="substring($date, 9, 3)"/>
    <xsl:variable name="number"
        select="string-length(substring-before('JanFebMarAprMayJunJulAugSepOctNovDec', $month)) div 3 + 1"/>
    <xsl:value-of select="concat(substring($date, 6, 2), '/', format-number($number, '00'), '/',
        substring($date, 13, 4), ' ', substring($date, 18, 5))"/>
  </xsl:template>

  <!-- "2023-12-05T07:31:00+07:00" -> "05/12/2023 07:31" -->
  <xsl:template name="rfc3339-date">
    <xsl:param name="date"/>
    <xsl:value-of select="concat(substring($date, 9, 2), '/', substring($date, 6, 2), '/',
        substring($date, 1, 4), ' ', substring($date, 12, 5))"/>
  </xsl:template>

  <!-- Text escaped as HTML (&amp; &lt; &gt;) back to the text: lt and gt first, amp last. -->
  <xsl:template name="unescape">
    <xsl:param name="text"/>
    <xsl:call-template name="replace">
      <xsl:with-param name="text">
        <xsl:call-template name="replace">
          <xsl:with-param name="text">
            <xsl:call-template name="replace">
              <xsl:with-param name="text" select="$text"/>
              <xsl:with-param name="from" select="'&amp;lt;'"/>
              <xsl:with-param name="to" select="'&lt;'"/>
            </xsl:call-template>
          </xsl:with-param>
          <xsl:with-param name="from" select="'&amp;gt;'"/>
          <xsl:with-param name="to" select="'&gt;'"/>
        </xsl:call-template>
      </xsl:with-param>
      <xsl:with-param name="from" select="'&amp;amp;'"/>
      <xsl:with-param name="to" select="'&amp;'"/>
    </xsl:call-template>
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
</xsl:stylesheet>
