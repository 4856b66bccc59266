/// The e-mail templates (Mustache). `{{x}}` escapes HTML; the plain-text templates use `{{{x}}}`
/// because their output is not HTML. Everything that comes from users arrives as a value, never
/// as template text.
enum EmailTemplates {
    static let noticeHTML = """
        <!doctype html>
        <html><body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; color: #1d1d1f;">
        {{#greeting}}<p>{{greeting}}</p>{{/greeting}}
        <h2 style="font-size: 18px;">{{title}}</h2>
        {{#lines}}<p style="margin: 0 0 8px;">{{.}}</p>
        {{/lines}}
        {{#link}}<p><a href="{{link}}" style="display: inline-block; padding: 8px 14px; background: #0b57d0; color: #fff; text-decoration: none; border-radius: 6px;">{{action}}</a></p>
        {{/link}}
        <p style="color: #6e6e73; font-size: 12px;">{{footer}}</p>
        </body></html>
        """

    static let noticeText = """
        {{#greeting}}
        {{{greeting}}}

        {{/greeting}}
        {{{title}}}

        {{#lines}}{{{.}}}
        {{/lines}}
        {{#link}}
        {{{action}}}: {{{link}}}
        {{/link}}

        --
        {{{footer}}}
        """

    static let invitationHTML = """
        <!doctype html>
        <html><body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; color: #1d1d1f;">
        <p>{{greeting}}</p>
        <p>{{invitation}}</p>
        <p><a href="{{link}}" style="display: inline-block; padding: 8px 14px; background: #0b57d0; color: #fff; text-decoration: none; border-radius: 6px;">Accept the invitation</a></p>
        <p style="color: #6e6e73; font-size: 12px;">This invitation expires on {{expires}}. If you did not expect it, ignore this e-mail.</p>
        </body></html>
        """

    static let invitationText = """
        {{{greeting}}}

        {{{invitation}}}

        Accept the invitation: {{{link}}}

        This invitation expires on {{{expires}}}. If you did not expect it, ignore this e-mail.
        """
}
