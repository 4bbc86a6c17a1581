/** The page a URL with bad parameters gets instead of its view: what is wrong, and a link to a good start. */
export function BadLink({ title, message, href, linkText }: { title: string; message: string; href: string; linkText: string }) {
  return (
    <div className="message-page">
      <h1>{title}</h1>
      <p className="error-text" role="alert">
        {message}
      </p>
      <p>
        <a href={href}>{linkText}</a>
      </p>
    </div>
  );
}
