#!/usr/bin/perl
# sipp-msg.pl FILE.msgs WHAT [N]: prints, byte for byte, the Nth (default
# 1st) message SIPp received, from a -trace_msg file. WHAT is a request
# method (INVITE, BYE, ...) or "response". SIPp logs each received message
# as "UDP message received [LEN] bytes :", an empty line, then exactly LEN
# bytes, so the count (not the separators) delimits the message: a body
# may hold any line. Exit 1 when there is no such message.
use strict;
use warnings;

@ARGV == 2 || @ARGV == 3 or die "usage: sipp-msg.pl FILE.msgs METHOD|response [N]\n";
my ($file, $what, $n) = @ARGV;
$n //= 1;
open my $fh, '<:raw', $file or die "sipp-msg.pl: $file: $!\n";
my $all = do { local $/; <$fh> };
my $seen = 0;
while ($all =~ /message received \[(\d+)\] bytes :\n\n/g) {
    my $msg = substr($all, pos($all), $1);
    my $match = $what eq 'response' ? $msg =~ m{^SIP/2\.0 } : $msg =~ /^\Q$what\E /;
    next unless $match;
    next if ++$seen < $n;
    binmode STDOUT;
    print $msg;
    exit 0;
}
print STDERR "sipp-msg.pl: $file: no received $what number $n\n";
exit 1;
