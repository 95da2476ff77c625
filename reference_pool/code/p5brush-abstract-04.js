// A large golden sun disc over horizontal bands of ochre, lemon and pale sand, warm abstract.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#faf4e2');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  const bands = [['#f6e39a', -256, 150], ['#eec75a', -106, 110], ['#dba23a', 4, 90], ['#b8782a', 94, 70], ['#f1d77a', 164, 92]];
  for (const [c, y, h] of bands) {
    brush.fill(c, 180);
    brush.fillBleed(0.25, 'out', 0);
    brush.fillTexture(0.5, 0.3);
    brush.rect(-256, y, 512, h);
  }
  for (let k = 0; k < 2; k++) {
    brush.fill('#f2b824', 210);
    brush.fillBleed(0.2);
    brush.fillTexture(0.5, 0.5);
    brush.circle(-40, -40, 110);
  }
  brush.fill('#e4572e', 160);
  brush.circle(-40, -40, 45);

  brush.noFill();
  brush.set('2B', '#6b4a1e', 1.2);
  brush.line(-256, 94, 256, 94);
}
