# What a site reads: kernel memory held per TiB registered, by driver and
# layout, stock against phyr (B/page x 2^28 pages per TiB, in MiB), every
# bar labelled.  Called by bench/host-lib.sh with datafile and outfile set;
# datafile lines: DRIVER LAYOUT STOCK PHYR (B/page).
set terminal png size 1000,560 noenhanced
set output outfile
set title "Kernel memory per TiB registered (MiB, log scale)"
set ylabel "MiB per TiB registered"
set logscale y
floor = 0.1
set yrange [floor:100000]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top right
set grid ytics
set xtics rotate by -30
mib(v) = v * 256
bar(v) = (v != v) ? NaN : (mib(v) < floor ? floor : mib(v))
txt(v) = (v != v) ? "n/a" : (v == 0 ? "0" : (mib(v) < 10 ? sprintf("%.2f", mib(v)) : sprintf("%.0f", mib(v))))
plot datafile using (bar($3)):xtic(sprintf("%s %s", strcol(1), strcol(2))) title "stock 6.12", \
     '' using (bar($4)) title "phyr", \
     '' using ($0 - 1.0 / 6):(bar($3) * 1.4):(txt($3)) with labels font ",9" notitle, \
     '' using ($0 + 1.0 / 6):(bar($4) * 1.4):(txt($4)) with labels font ",9" notitle
